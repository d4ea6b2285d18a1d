#!/usr/bin/env bash
# Scale-out benchmark of issue 7: 1, 2 and 4 worker processes (NUM_WORKERS 10 each) run 2,000 bash jobs that
# each sleep 100 ms; throughput against the ideal N x 10 x 10 jobs/s (Windmill's table: 2 workers 19.9 jobs/s,
# 10 workers 99.6 jobs/s, for one slot per worker).   bash bench/scale.sh [jobs]
set -euo pipefail
COUNT="${1:-2000}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/OpsBench/bin/Release/net10.0/Windmill.Jobs.OpsBench.dll"
echo "machine: $(nproc) cores; API, workers, PostgreSQL, RabbitMQ and the load generator share them"
for n in 1 2 4; do
  group=()
  export WORKER_TAGS="scale$n"
  for i in $(seq 1 "$n"); do start_worker 10 "scale$n-$i"; group+=("${PIDS[-1]}"); done
  unset WORKER_TAGS
  sleep 8
  # Where the CPU goes (the machine's cores are the limit here): ticks before and after, per job.
  # PostgreSQL: the processes alive at each reading; the postmaster's reaped-children time covers backends that ended between.
  snapshot() { echo "$(cpu_ticks "${PIDS[0]}") $(cpu_ticks "${group[@]}") $(cpu_ticks $(pgrep -x postgres)) $(cpu_ticks $(pgrep -f beam.smp))"; }
  read -ra before <<< "$(snapshot)"
  $BENCH jobs --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --count "$COUNT" --concurrency 32 \
    --tag "scale$n" --label "$n worker process(es) x 10 slots, ideal $((n * 100)) jobs/s"
  read -ra after <<< "$(snapshot)"
  per_job() { awk -v t="$(( $2 - $1 ))" -v hz="$(getconf CLK_TCK)" -v n="$COUNT" 'BEGIN { printf "%.1f ms", t / hz * 1000 / n }'; }
  echo "  CPU per job: api $(per_job "${before[0]}" "${after[0]}"), workers with their job processes $(per_job "${before[1]}" "${after[1]}")," \
    "postgresql $(per_job "${before[2]}" "${after[2]}"), rabbitmq $(per_job "${before[3]}" "${after[3]}")"
  kill "${group[@]}"; wait "${group[@]}" 2>/dev/null || true
done
