#!/usr/bin/env bash
# Flow benchmarks of issue 4 (Windmill's published comparison on a 2-vCPU machine with one worker):
# 40 sequential python3 steps of fibo(10), 10 steps of fibo(33), and 40 bash steps. Starts real services,
# one API and one worker in a temporary directory, prints the figures.   bash bench/flows.sh [runs]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${1:-3}"
DIR="$(mktemp -d /tmp/wmj-fbench-XXXXXX)"; chmod 755 "$DIR"
PIDS=()
cleanup() { [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; bash scripts/services.sh stop "$DIR/services"; rm -rf "$DIR"; }
trap cleanup EXIT

dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet >/dev/null
bash scripts/services.sh start "$DIR/services" >/dev/null
set -a; . "$DIR/services/services.env"; set +a
export SUPERADMIN_SECRET="bench-superadmin-secret-0123456" PORT="${PORT:-18082}" BIND_ADDRESS=127.0.0.1
export BASE_INTERNAL_URL="http://127.0.0.1:$PORT"
NPGSQL="Host=127.0.0.1;Port=$(echo "$DATABASE_URL" | sed -E 's#.*:([0-9]+)/.*#\1#');Username=postgres;Database=windmill"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"

dotnet src/Api/bin/Release/net10.0/Windmill.Jobs.Api.dll > "$DIR/api.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null && break; sleep 0.5; done
NUM_WORKERS=4 WORKER_NAME=w1 dotnet src/Worker/bin/Release/net10.0/Windmill.Jobs.Worker.dll > "$DIR/w1.log" 2>&1 & PIDS+=($!)
sleep 5
echo "machine: $(nproc) cores; API, worker, PostgreSQL and RabbitMQ share them"
flow() { $BENCH flow --base-url "http://127.0.0.1:$PORT" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --runs "$RUNS" "$@"; }
flow --steps 40 --language python3 --fibo 10
flow --steps 10 --language python3 --fibo 33
flow --steps 40 --language bash --fibo 10
