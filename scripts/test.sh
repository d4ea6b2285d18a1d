#!/usr/bin/env bash
# Runs every test: unit tests and integration tests against real PostgreSQL, RabbitMQ, Redis and S3
# (the integration fixture starts them through scripts/services.sh). Installs what is missing first.
# Ends with one summary line: "N passed, N failed, N skipped".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

command -v dotnet >/dev/null || { echo "test: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
bash scripts/services.sh install || { echo "test: installing the services failed" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log="$(mktemp)"
dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet 2>&1 | tee "$log" | grep -E "error|Error" ; build=${PIPESTATUS[0]}
if [ "$build" != 0 ]; then cat "$log"; echo "0 passed, 1 failed"; exit 1; fi

dotnet test Windmill.Jobs.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly lines: "Passed!  - Failed:     0, Passed:    66, Skipped:     0, Total:    66, ..."
summary="$(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' \
  | awk '{f+=$1; p+=$2; s+=$3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s}')"
rm -f "$log"
[ -n "$summary" ] || summary="0 passed, 1 failed"
echo
echo "$summary"
case "$summary" in *" 0 failed"*) [ "$status" = 0 ] && exit 0 ;; esac
exit 1
