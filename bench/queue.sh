#!/usr/bin/env bash
# Queue benchmarks of issue 3: starts real services, one API and workers in a temporary directory, runs
# bench/QueueBench in each mode, prints the figures.   bash bench/queue.sh [noop-count] [wait-count]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COUNT="${1:-10000}"; WAITS="${2:-200}"
DIR="$(mktemp -d /tmp/wmj-qbench-XXXXXX)"; chmod 755 "$DIR"
PIDS=()
cleanup() { [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; bash scripts/services.sh stop "$DIR/services"; rm -rf "$DIR"; }
trap cleanup EXIT

dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet >/dev/null
bash scripts/services.sh start "$DIR/services" >/dev/null
set -a; . "$DIR/services/services.env"; set +a
export SUPERADMIN_SECRET="bench-superadmin-secret-0123456" PORT="${PORT:-18081}" BIND_ADDRESS=127.0.0.1
export BASE_INTERNAL_URL="http://127.0.0.1:$PORT"
NPGSQL="Host=127.0.0.1;Port=$(echo "$DATABASE_URL" | sed -E 's#.*:([0-9]+)/.*#\1#');Username=postgres;Database=windmill"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"

dotnet src/Api/bin/Release/net10.0/Windmill.Jobs.Api.dll > "$DIR/api.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null && break; sleep 0.5; done
start_worker() { NUM_WORKERS="$1" WORKER_NAME="$2" dotnet src/Worker/bin/Release/net10.0/Windmill.Jobs.Worker.dll > "$DIR/$2.log" 2>&1 & PIDS+=($!); }
start_worker 50 w1
start_worker 1 w2
sleep 10
echo "machine: $(nproc) cores; API, workers, PostgreSQL, RabbitMQ and the load generator share them"
# Idle first, on a fresh system: after a burst of jobs autovacuum's own transactions would be counted too.
echo "idle: one API and two workers"
$BENCH idle --base-url "http://127.0.0.1:$PORT" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --seconds 30
kill "${PIDS[2]}" 2>/dev/null || true  # the overhead run uses one worker process
overhead() { $BENCH overhead --base-url "http://127.0.0.1:$PORT" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" "$@"; }
echo "warm-up (JIT, connection pools), not a figure:"
overhead --count 2000 --concurrency 128 | tail -1
overhead --count "$COUNT" --concurrency 128
# The same at paces the system sustains: enqueue-to-start latency without a backlog.
overhead --count "$((COUNT / 2))" --concurrency 64 --rate 500
overhead --count "$COUNT" --concurrency 128 --rate 1000
$BENCH wait --base-url "http://127.0.0.1:$PORT" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --count "$WAITS"
