#!/usr/bin/env bash
# Queue benchmarks of issue 3: starts real services, one API and workers in a temporary directory, runs
# bench/QueueBench in each mode, prints the figures.   bash bench/queue.sh [noop-count] [wait-count]
set -euo pipefail
COUNT="${1:-10000}"; WAITS="${2:-200}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"

start_worker 50 w1
start_worker 1 w2
sleep 10
echo "machine: $(nproc) cores; API, workers, PostgreSQL, RabbitMQ and the load generator share them"
# Idle first, on a fresh system: after a burst of jobs autovacuum's own transactions would be counted too.
echo "idle: one API and two workers"
$BENCH idle --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --seconds 30
kill "${PIDS[2]}" 2>/dev/null || true  # the overhead run uses one worker process
overhead() { $BENCH overhead --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" "$@"; }
echo "warm-up (JIT, connection pools), not a figure:"
overhead --count 2000 --concurrency 128 | tail -1
overhead --count "$COUNT" --concurrency 128
# The same at paces the system sustains: enqueue-to-start latency without a backlog.
overhead --count "$((COUNT / 2))" --concurrency 64 --rate 500
overhead --count "$COUNT" --concurrency 128 --rate 1000
$BENCH wait --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --count "$WAITS"
