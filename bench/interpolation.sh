#!/usr/bin/env bash
# Benchmark of get_value_interpolated under concurrent load (issue 2). Starts real services and a
# Release API in a temporary directory, runs bench/InterpolationBench against it, prints the figures.
#   bash bench/interpolation.sh [concurrency] [seconds]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CONCURRENCY="${1:-16}"; SECONDS_="${2:-20}"
DIR="$(mktemp -d /tmp/wmj-bench-XXXXXX)"; chmod 755 "$DIR"
API_PID=""
cleanup() { [ -z "$API_PID" ] || kill "$API_PID" 2>/dev/null || true; bash scripts/services.sh stop "$DIR/services"; rm -rf "$DIR"; }
trap cleanup EXIT

dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet >/dev/null
dotnet build bench/InterpolationBench -c Release -nologo -v quiet >/dev/null
bash scripts/services.sh start "$DIR/services" >/dev/null
set -a; . "$DIR/services/services.env"; set +a
export SUPERADMIN_SECRET="bench-superadmin-secret-0123456" PORT="${PORT:-18080}" BIND_ADDRESS=127.0.0.1
dotnet src/Api/bin/Release/net10.0/Windmill.Jobs.Api.dll > "$DIR/api.log" 2>&1 & API_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null && break; sleep 0.5; done

echo "machine: $(nproc) cores; API, PostgreSQL and the load generator share them"
dotnet bench/InterpolationBench/bin/Release/net10.0/Windmill.Jobs.InterpolationBench.dll \
  --base-url "http://127.0.0.1:$PORT" --token "$SUPERADMIN_SECRET" --concurrency "$CONCURRENCY" --seconds "$SECONDS_"
