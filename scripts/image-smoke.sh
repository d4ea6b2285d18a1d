#!/usr/bin/env bash
# No Docker engine runs on the development machines, so this checks the images' layout without one: it
# publishes the api and the worker as the Dockerfile does, then runs them as the images do (the non-root
# uid 1654, a cleared environment with only the image's ENV, LOG_FORMAT=json) against real services, and runs
# a python3 job using wmill and a secret variable, a bash job and a DuckDB job.   bash scripts/image-smoke.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIR="$(mktemp -d /tmp/wmj-image-XXXXXX)"; chmod 755 "$DIR"
PIDS=()
cleanup() { [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; bash scripts/services.sh stop "$DIR/services" >/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

id 1654 >/dev/null 2>&1 || useradd -u 1654 -M -s /usr/sbin/nologin app
dotnet publish src/Api/Api.csproj -c Release -o "$DIR/api" --nologo -v quiet >/dev/null
dotnet publish src/Worker/Worker.csproj -c Release -o "$DIR/worker" --nologo -v quiet >/dev/null
bash scripts/services.sh start "$DIR/services" >/dev/null
set -a; . "$DIR/services/services.env"; set +a
cp "$LIBDUCKDB_PATH" "$DIR/libduckdb.so"
mkdir -p "$DIR/jobs" && chown 1654:1654 "$DIR/jobs"
chmod -R a+rX "$DIR/api" "$DIR/worker" "$DIR/libduckdb.so"

DOTNET="$(realpath "$(command -v dotnet)")"
SECRET="image-smoke-superadmin-secret-01"
API_PORT=18300 WORKER_PORT=18301
as_app() { setpriv --reuid 1654 --regid 1654 --clear-groups env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp \
  DOTNET_ROOT="$(dirname "$DOTNET")" DATABASE_URL="$DATABASE_URL" RABBITMQ_URL="$RABBITMQ_URL" REDIS_URL="$REDIS_URL" \
  LIBDUCKDB_PATH="$DIR/libduckdb.so" LOG_FORMAT=json BASE_INTERNAL_URL="http://127.0.0.1:$API_PORT" "$@"; }
(cd "$DIR/api" && as_app PORT=$API_PORT SUPERADMIN_SECRET=$SECRET "$DOTNET" Windmill.Jobs.Api.dll > "$DIR/api.log" 2>&1) & PIDS+=($!)
(cd "$DIR/worker" && as_app PYTHON_PATH=/usr/bin/python3 JOB_DIR="$DIR/jobs" WORKER_HTTP_PORT=$WORKER_PORT \
  "$DOTNET" Windmill.Jobs.Worker.dll > "$DIR/worker.log" 2>&1) & PIDS+=($!)
for _ in $(seq 60); do curl -sf "localhost:$API_PORT/api/version" >/dev/null && curl -sf "localhost:$WORKER_PORT/readyz" >/dev/null && break; sleep 1; done

B="http://localhost:$API_PORT/api"
call() { curl -sS -H "Authorization: Bearer $SECRET" -H "Content-Type: application/json" "$B/$1" -d "$2"; }
call workspaces/create '{"id":"smoke","name":"smoke"}' >/dev/null
call w/smoke/variables/create '{"path":"u/admin/greeting","value":"hello","is_secret":true,"description":""}' >/dev/null
call w/smoke/scripts/create '{"path":"u/admin/py","summary":"","description":"","language":"python3","content":"import wmill\ndef main():\n    return wmill.get_variable(\"u/admin/greeting\")\n"}' >/dev/null
call w/smoke/scripts/create '{"path":"u/admin/sh","summary":"","description":"","language":"bash","content":"id -u"}' >/dev/null
call w/smoke/scripts/create '{"path":"u/admin/duck","summary":"","description":"","language":"duckdb","content":"SELECT 40 + 2 AS answer;"}' >/dev/null

failed=0
expect() { local got; got="$(call "w/smoke/jobs/run_wait_result/p/u/admin/$1" '{}')"
  if [ "$got" = "$2" ]; then echo "ok   $1: $got"; else echo "FAIL $1: expected $2, got $got"; failed=1; fi; }
expect py '"hello"'
expect sh '"1654"'
expect duck '[{"answer": 42}]'
if grep -vq '^{' "$DIR/worker.log" "$DIR/api.log"; then echo "FAIL: a log line is not JSON"; failed=1; else echo "ok   logs are JSON lines"; fi
if grep -q hello "$DIR/worker.log" "$DIR/api.log"; then echo "FAIL: the secret's value is in a log"; failed=1; else echo "ok   the secret is in no log"; fi
[ "$failed" = 0 ] || { echo "--- api log"; tail -20 "$DIR/api.log"; echo "--- worker log"; tail -20 "$DIR/worker.log"; }
exit "$failed"
