#!/usr/bin/env bash
# Load benchmark of issue 7: 200 concurrent clients mixing enqueue, get_result_maybe and resource reads against
# one API (one worker running the jobs) for 60 s; error rate, latencies, and each process's memory before and after.
#   bash bench/load.sh [clients] [seconds]
set -euo pipefail
CLIENTS="${1:-200}"; SECONDS_="${2:-60}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/OpsBench/bin/Release/net10.0/Windmill.Jobs.OpsBench.dll"
start_worker 10 load
sleep 8
rss() { grep VmRSS /proc/"$1"/status | awk '{printf "%.0f MB", $2/1024}'; }
echo "machine: $(nproc) cores; API, worker, PostgreSQL, RabbitMQ and the $CLIENTS clients share them"
echo "memory before: api $(rss "${PIDS[0]}"), worker $(rss "${PIDS[1]}")"
$BENCH load --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --clients "$CLIENTS" --seconds "$SECONDS_"
echo "memory after:  api $(rss "${PIDS[0]}"), worker $(rss "${PIDS[1]}")"
