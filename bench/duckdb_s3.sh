#!/usr/bin/env bash
# DuckDB ETL benchmark of issue 5: a generated parquet of N rows (default 10 million) on the S3 server,
# aggregated by a DuckDB job into a small parquet on S3, against the same job on a local copy of the file;
# then the worker's peak memory (DuckDB runs in the worker process) under DUCKDB_MEMORY_LIMIT.
# Three workers in turn, each on a fresh workspace and file:
#   api     S3_DIRECT=false: objects staged through the API's job_helpers (a job that cannot see the credentials)
#   direct  straight to S3 in parallel parts, worker cache off: every run fetches the file
#   cached  straight to S3 with the worker cache (default): the generate job's upload is kept, runs read it after a HEAD
#   bash bench/duckdb_s3.sh [rows] [memory-limit]
set -euo pipefail
ROWS="${1:-10000000}"; LIMIT="${2:-1GB}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"
echo "machine: $(nproc) cores; API, worker, PostgreSQL, RabbitMQ and the S3 server share them; DUCKDB_MEMORY_LIMIT=$LIMIT"

run_mode() { # name, then env assignments for the worker
  local name="$1"; shift
  env "$@" DUCKDB_MEMORY_LIMIT="$LIMIT" JOB_DIR="$DIR/jobs-$name" NUM_WORKERS=1 WORKER_NAME="w-$name" \
    dotnet src/Worker/bin/Release/net10.0/Windmill.Jobs.Worker.dll > "$DIR/w-$name.log" 2>&1 & PIDS+=($!)
  local pid=$!
  sleep 5
  echo "== $name ($*)"
  $BENCH duckdb --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --rows "$ROWS" --s3-endpoint "$S3_ENDPOINT" \
    --local-dir "$DIR/local-$name" --runs 3
  echo "worker peak resident memory (VmHWM, whole process): $(grep VmHWM /proc/"$pid"/status | awk '{printf "%.0f MB", $2/1024}')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_mode api S3_DIRECT=false
run_mode direct S3_CACHE_MB=0
run_mode cached S3_CACHE_MB=2048
