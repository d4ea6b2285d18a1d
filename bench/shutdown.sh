#!/usr/bin/env bash
# Graceful stop of issue 7: a worker (2 slots, SHUTDOWN_GRACE_PERIOD 4 s) runs two 60 s jobs with a third
# waiting; SIGTERM, then the time until the process has exited, and what it logged.   bash bench/shutdown.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
export WORKER_TAGS="stop" SHUTDOWN_GRACE_PERIOD=4; start_worker 2 stop; unset WORKER_TAGS SHUTDOWN_GRACE_PERIOD
worker=${PIDS[-1]}
sleep 8
call() { curl -sf -H "Authorization: Bearer $SUPERADMIN_SECRET" -H "Content-Type: application/json" "$BASE/api/$1" -d "$2" >/dev/null; }
call workspaces/create '{"id":"stop","name":"stop"}'
call w/stop/scripts/create '{"path":"u/admin/long","summary":"","description":"","content":"sleep 60","language":"bash","tag":"stop"}'
for _ in 1 2 3; do call w/stop/jobs/run/p/u/admin/long '{}'; done
sleep 4
t0=$(date +%s.%N); kill -TERM "$worker"; while kill -0 "$worker" 2>/dev/null; do sleep 0.1; done; t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "worker exited %.1f s after SIGTERM (grace period 4 s, 2 jobs running, 1 waiting)\n", b - a }'
grep -E "stopping|handed back" "$DIR/stop.log" | sed -E 's/ => SpanId:[^>]*=>//' | cut -c1-170
