#!/usr/bin/env bash
# Fault benchmark of issue 7, each with a report of what was lost or done twice:
#   sigkill   5,000 jobs on 3 workers (10 slots each) while a worker is killed with SIGKILL every 4 s and replaced
#   rabbitmq  5,000 jobs while RabbitMQ is stopped for 10 s mid-run
#   postgres  5,000 jobs while PostgreSQL is stopped for 10 s mid-run (the API answers 503 meanwhile)
#   redis     200 flows using custom flow state while Redis is restarted mid-run
# Recovery is tuned to seconds (ZOMBIE_JOB_TIMEOUT=10, RECOVERY_INTERVAL=2) instead of the defaults (60 s, 30 s).
#   bash bench/faults.sh [jobs] [parts, default "sigkill rabbitmq postgres redis"]
set -euo pipefail
COUNT="${1:-5000}"; PARTS="${2:-sigkill rabbitmq postgres redis}"
want() { [[ " $PARTS " == *" $1 "* ]]; }
export ZOMBIE_JOB_TIMEOUT=10 RECOVERY_INTERVAL=2 ZOMBIE_JOB_RESTART_LIMIT=5
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/OpsBench/bin/Release/net10.0/Windmill.Jobs.OpsBench.dll"
jobs_run() { $BENCH jobs --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --count "$COUNT" --concurrency 32 "$@"; }
workers() { # tag count -> WORKERS
  WORKERS=()
  export WORKER_TAGS="$1"
  for i in $(seq 1 "$2"); do start_worker 10 "$1-$i"; WORKERS+=("${PIDS[-1]}"); done
  unset WORKER_TAGS
  sleep 8
}
stop_workers() { kill "${WORKERS[@]}" 2>/dev/null || true; wait "${WORKERS[@]}" 2>/dev/null || true; }
echo "machine: $(nproc) cores; everything shares them"

# 1. SIGKILL of a worker every 4 s.
if want sigkill; then
workers kill 3
jobs_run --tag kill --label sigkill > "$DIR/kill.out" &
bench=$!
kills=0
while sleep 4 && kill -0 "$bench" 2>/dev/null; do
  kill -9 "${WORKERS[0]}" 2>/dev/null || true
  WORKERS=("${WORKERS[@]:1}")
  kills=$((kills + 1))
  export WORKER_TAGS=kill; start_worker 10 "kill-r$kills"; unset WORKER_TAGS
  WORKERS+=("${PIDS[-1]}")
done
wait "$bench"; cat "$DIR/kill.out"; echo "sigkill: $kills workers killed with SIGKILL during the run"
stop_workers
fi

# 2. RabbitMQ away for 10 s.
if want rabbitmq; then
workers rmq 3
jobs_run --tag rmq --label rabbitmq > "$DIR/rmq.out" &
bench=$!
sleep 4; bash scripts/services.sh restart-rabbitmq "$DIR/services" 10
wait "$bench"; cat "$DIR/rmq.out"
stop_workers
fi

# 3. PostgreSQL away for 10 s.
if want postgres; then
workers pg 3
jobs_run --tag pg --label postgres > "$DIR/pg.out" &
bench=$!
sleep 4; bash scripts/services.sh stop-postgres "$DIR/services"; sleep 10; bash scripts/services.sh start-postgres "$DIR/services"
wait "$bench"; cat "$DIR/pg.out"
stop_workers
fi

# 4. Redis restarted (empty) during flows with custom flow state: those that lose their state must fail clearly.
if want redis; then
start_worker 10 flows; WORKERS=("${PIDS[-1]}"); sleep 8
$BENCH flows --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --count 200 --concurrency 16 --label redis > "$DIR/redis.out" &
bench=$!
sleep 10; bash scripts/services.sh restart-redis "$DIR/services" 3  # flows are well under way by then
wait "$bench"; cat "$DIR/redis.out"
stop_workers
fi
