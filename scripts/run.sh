#!/usr/bin/env bash
# Starts the whole system on local defaults: PostgreSQL, RabbitMQ, Redis and S3 (data kept in .run/),
# then the API on http://127.0.0.1:${PORT:-8000} and one worker. Prints the URL and an admin token.
# Ctrl+C stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUN="$ROOT/.run"
mkdir -p "$RUN"

command -v dotnet >/dev/null || { echo "run: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
bash scripts/services.sh start "$RUN/services"
set -a; . "$RUN/services/services.env"; set +a

# One admin token per checkout, kept across runs.
[ -f "$RUN/superadmin_secret" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RUN/superadmin_secret"
export SUPERADMIN_SECRET="$(cat "$RUN/superadmin_secret")"
export PORT="${PORT:-8000}" BIND_ADDRESS="${BIND_ADDRESS:-127.0.0.1}"
export BASE_INTERNAL_URL="${BASE_INTERNAL_URL:-http://127.0.0.1:$PORT}"

echo "run: building (Release)"
dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet >/dev/null

pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  bash scripts/services.sh stop "$RUN/services"
}
trap stop INT TERM EXIT

dotnet src/Api/bin/Release/net10.0/Windmill.Jobs.Api.dll > "$RUN/api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null || { echo "run: the API did not start; see $RUN/api.log" >&2; tail -20 "$RUN/api.log" >&2; exit 1; }
dotnet src/Worker/bin/Release/net10.0/Windmill.Jobs.Worker.dll > "$RUN/worker.log" 2>&1 & pids+=($!)

cat <<MSG

Windmill.Jobs is running.
  URL:         http://127.0.0.1:$PORT   (API under /api)
  Admin token: $SUPERADMIN_SECRET
  Try:         curl -s -H "Authorization: Bearer $SUPERADMIN_SECRET" http://127.0.0.1:$PORT/api/users/whoami
  Logs:        $RUN/api.log, $RUN/worker.log
Ctrl+C stops everything.
MSG
wait -n "${pids[@]}"
echo "run: a process exited; stopping" >&2
