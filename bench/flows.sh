#!/usr/bin/env bash
# Flow benchmarks of issue 4 (Windmill's published comparison on a 2-vCPU machine with one worker):
# 40 sequential python3 steps of fibo(10), 10 steps of fibo(33), and 40 bash steps. Starts real services,
# one API and one worker in a temporary directory, prints the figures.   bash bench/flows.sh [runs]
set -euo pipefail
RUNS="${1:-3}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/QueueBench/bin/Release/net10.0/Windmill.Jobs.QueueBench.dll"

start_worker 4 w1
sleep 5
echo "machine: $(nproc) cores; API, worker, PostgreSQL and RabbitMQ share them"
flow() { $BENCH flow --base-url "$BASE" --token "$SUPERADMIN_SECRET" --database "$NPGSQL" --runs "$RUNS" "$@"; }
flow --steps 40 --language python3 --fibo 10
flow --steps 10 --language python3 --fibo 33
flow --steps 40 --language bash --fibo 10
