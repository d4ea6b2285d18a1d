# Sourced by the benchmarks (not run alone): builds Release, starts real services and one API in a temporary
# directory, stops everything on exit, and defines start_worker NUM_WORKERS NAME. Sets DIR, PORT,
# SUPERADMIN_SECRET, NPGSQL (an Npgsql connection string to the store) and BASE (the API's base URL).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIR="$(mktemp -d /tmp/wmj-bench-XXXXXX)"; chmod 755 "$DIR"
PIDS=()
cleanup() { [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; bash scripts/services.sh stop "$DIR/services"; rm -rf "$DIR"; }
trap cleanup EXIT

dotnet build Windmill.Jobs.sln -c Release -nologo -v quiet >/dev/null
bash scripts/services.sh start "$DIR/services" >/dev/null
set -a; . "$DIR/services/services.env"; set +a
export SUPERADMIN_SECRET="bench-superadmin-secret-0123456" PORT="${PORT:-18081}" BIND_ADDRESS=127.0.0.1
export BASE_INTERNAL_URL="http://127.0.0.1:$PORT"
BASE="http://127.0.0.1:$PORT"
NPGSQL="Host=127.0.0.1;Port=$(echo "$DATABASE_URL" | sed -E 's#.*:([0-9]+)/.*#\1#');Username=postgres;Database=windmill"

dotnet src/Api/bin/Release/net10.0/Windmill.Jobs.Api.dll > "$DIR/api.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "$BASE/api/version" >/dev/null && break; sleep 0.5; done
start_worker() { NUM_WORKERS="$1" WORKER_NAME="$2" dotnet src/Worker/bin/Release/net10.0/Windmill.Jobs.Worker.dll > "$DIR/$2.log" 2>&1 & PIDS+=($!); }
# CPU time (clock ticks) used so far by these processes and the children they waited for (a worker's job processes).
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15+$16+$17}' "/proc/$p/stat"))); done; echo "$t"; }
