#!/usr/bin/env bash
# DuckDB ETL benchmark of issue 5: a generated parquet of N rows (default 10 million) on the S3 server,
# aggregated by a DuckDB job into a small parquet on S3, against the same job on a local copy of the file;
# then the worker's peak memory (DuckDB runs in the worker process) under DUCKDB_MEMORY_LIMIT.
#   bash bench/duckdb_s3.sh [rows] [memory-limit]
set -euo pipefail
ROWS="${1:-10000000}"; LIMIT="${2:-1GB}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"

DUCKDB_MEMORY_LIMIT="$LIMIT" start_worker 1 w1
sleep 5
echo "machine: $(nproc) cores; API, worker, PostgreSQL, RabbitMQ and the S3 server share them; DUCKDB_MEMORY_LIMIT=$LIMIT"
$BENCH duckdb --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --rows "$ROWS" --s3-endpoint "$S3_ENDPOINT" \
  --local-dir "$DIR/local" --runs 3
worker_pid="${PIDS[1]}"
echo "worker peak resident memory (VmHWM, whole process): $(grep VmHWM /proc/"$worker_pid"/status | awk '{printf "%.0f MB", $2/1024}')"
