#!/usr/bin/env bash
# Asset benchmarks of issue 6: static detection of 5,000-line scripts (no services needed), then runtime asset
# events into the store: real services and one API (which consumes the events) in a temporary directory.
#   bash bench/assets.sh [event-count]
set -euo pipefail
COUNT="${1:-100000}"
. "$(dirname "${BASH_SOURCE[0]}")/system.sh"
BENCH="dotnet bench/AssetBench/bin/Release/net10.0/Windmill.Jobs.AssetBench.dll"
echo "machine: $(nproc) cores; API, PostgreSQL, RabbitMQ and the load generator share them"
$BENCH detect
$BENCH events --count "$COUNT" --rabbitmq "$RABBITMQ_URL" --database "$NPGSQL" --base-url "$BASE" --token "$SUPERADMIN_SECRET"
