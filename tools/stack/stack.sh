#!/usr/bin/env bash
# The local stack: a real PostgreSQL server and a Kafka-protocol broker on loopback.
#
#   tools/stack/stack.sh up      start both (installing what is missing); idempotent
#   tools/stack/stack.sh down    stop both; PostgreSQL data is kept
#   tools/stack/stack.sh reset   stop and wipe all data
#   tools/stack/stack.sh status  say what runs
#   tools/stack/stack.sh env     print the connection settings (also in .stack/env)
#
# Honours SWITCHBOARD_STACK_DIR (default .stack), SWITCHBOARD_PG_PORT (default 55432; the next
# free port is taken when another server holds it) and
# SWITCHBOARD_BROKER_CONTROL_PORT (default 0 = any free port).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# Service databases: one per service, each with an owner role (runs migrations) and an
# application role (what the service connects as; row-level security applies to it).
SB_DATABASES="accounts messaging devices compliance billing ghl_sync gateway"
SB_DB_PASSWORD="${SWITCHBOARD_DB_PASSWORD:-switchboard}"
PG_PORT="${SWITCHBOARD_PG_PORT:-55432}"
LIBRDKAFKA_PACKAGE="@confluentinc/kafka-javascript@1.10.1"

mkdir -p "$SB_STACK_DIR/logs"
ENV_FILE="$SB_STACK_DIR/env"
BROKER_PID="$SB_STACK_DIR/broker.pid"
BROKER_ENV="$SB_STACK_DIR/broker.env"
TOPICS_FILE="$SB_STACK_DIR/topics.txt"

# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user, with its
# data in a directory that user can reach whatever the checkout's permissions are.
if [ "$(id -u)" = 0 ]; then
  PG_USER=postgres
  PG_DIR="${SWITCHBOARD_PG_DIR:-/var/lib/switchboard/$(printf '%s' "$SB_STACK_DIR" | sha1sum | cut -c1-12)}"
else
  PG_USER="$(id -un)"
  PG_DIR="${SWITCHBOARD_PG_DIR:-$SB_STACK_DIR/pg}"
fi
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
# The port the cluster was last started on (it may differ from the wanted one, see postgres_up).
PG_PORT_FILE="$PG_DIR/port"
[ -f "$PG_PORT_FILE" ] && [ -f "$PG_DATA/postmaster.pid" ] && PG_PORT="$(cat "$PG_PORT_FILE")"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_postgres_installed() {
  pg_bindir >/dev/null && return 0
  [ "$(id -u)" = 0 ] || sb_die "PostgreSQL server not found: run 'sudo apt-get install -y postgresql' once"
  sb_log "installing PostgreSQL from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # Debian's package starts a cluster of its own on 5432; ours runs beside it on $PG_PORT.
  # openssl (a dependency of PostgreSQL's ssl-cert anyway): the tests' local HTTPS servers.
  apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib openssl >/dev/null
  pg_bindir >/dev/null || sb_die "PostgreSQL install failed"
}

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

psql_admin() {
  PGPASSWORD="$SB_DB_PASSWORD" "$(pg_bindir)/psql" -v ON_ERROR_STOP=1 -qAt \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

postgres_up() {
  ensure_postgres_installed
  local bin; bin="$(pg_bindir)"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    sb_log "initialising PostgreSQL in $PG_DATA"
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    local pw="$PG_DIR/.pw"
    printf '%s\n' "$SB_DB_PASSWORD" >"$pw"
    [ "$(id -u)" = 0 ] && chown postgres: "$pw"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --pwfile="$pw" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || sb_die "initdb failed, see $PG_DIR/initdb.log"
    rm -f "$pw"
    # A development server: durability traded for speed (data survives clean restarts).
    cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
log_min_messages = warning
CONF
  fi
  if ! pg_running; then
    # Another server (another checkout's stack, say) may hold the port: take the next free one.
    PG_PORT="${SWITCHBOARD_PG_PORT:-55432}"
    local tries=0
    while port_busy "$PG_PORT"; do
      tries=$((tries + 1))
      [ "$tries" -le 50 ] || sb_die "no free port for PostgreSQL from ${SWITCHBOARD_PG_PORT:-55432}"
      PG_PORT=$((PG_PORT + 1))
    done
    sb_log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "-p $PG_PORT" -w -t 60 start >/dev/null \
      || sb_die "PostgreSQL did not start, see $PG_LOG"
    echo "$PG_PORT" >"$PG_PORT_FILE"
  fi
  local db
  for db in $SB_DATABASES; do
    psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '${db}_owner', '$SB_DB_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${db}_owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', '${db}_app', '$SB_DB_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${db}_app') \gexec
-- Test databases are created from this template per test file: the owner may create them.
ALTER ROLE ${db}_owner CREATEDB;
GRANT ${db}_app TO ${db}_owner;
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '${db}_owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db') \gexec
REVOKE ALL ON DATABASE $db FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE $db TO ${db}_app;
SQL
    psql_admin -d "$db" <<SQL
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO ${db}_owner;
GRANT USAGE ON SCHEMA public TO ${db}_app;
SQL
  done
}

postgres_down() {
  if pg_running; then
    sb_log "stopping PostgreSQL"
    as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
}

# --- the broker --------------------------------------------------------------------------

# librdkafka's mock, fixed where kafkajs' consumer groups need it (the patch says how).
MOCK_PATCH="$SB_ROOT/tools/stack/broker/librdkafka-mock.patch"

# The build directory is named after the patch, so a changed patch builds next to the old
# build instead of replacing the binary a running broker (or a test's private one) uses.
broker_bin() {
  echo "$SB_CACHE/broker/librdkafka-2.15.1-mock-$(sha256sum "$MOCK_PATCH" | cut -c1-12)/sb-broker"
}

ensure_broker_built() {
  local bin src; bin="$(broker_bin)"
  src="$SB_ROOT/tools/stack/broker/sb-broker.c"
  local stamp="$bin.src-sha"
  local want; want="$(sha256sum "$src" | cut -d' ' -f1)"
  [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  local dir; dir="$(dirname "$bin")"
  mkdir -p "$dir"
  # One builder at a time (two checkouts, or a start and a test command, may both get here);
  # whoever waited finds the work done.
  exec {build_lock}>"$dir.lock"
  flock "$build_lock"
  if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exec {build_lock}>&-
    return 0
  fi
  if [ ! -f "$dir/librdkafka/src/librdkafka.a" ]; then
    command -v make >/dev/null && command -v gcc >/dev/null && command -v patch >/dev/null \
      || sb_apt_install "building the broker" build-essential patch
    command -v make >/dev/null && command -v gcc >/dev/null && command -v patch >/dev/null \
      || sb_die "building the broker needs gcc, make and patch"
    sb_log "building librdkafka's mock cluster from $LIBRDKAFKA_PACKAGE (once, about a minute)"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$LIBRDKAFKA_PACKAGE" >/dev/null && tar xzf ./*.tgz)
    (cd "$tmp/package/deps/librdkafka" && patch -p1 --forward --quiet <"$MOCK_PATCH") \
      || sb_die "$MOCK_PATCH does not apply to librdkafka from $LIBRDKAFKA_PACKAGE"
    rm -rf "$dir/librdkafka"
    mv "$tmp/package/deps/librdkafka" "$dir/librdkafka"
    rm -rf "$tmp"
    (cd "$dir/librdkafka" &&
      ./configure --disable-ssl --disable-gssapi --disable-curl --disable-zstd \
        --disable-lz4-ext --disable-syslog >"$dir/configure.log" 2>&1 &&
      make -j"$(nproc)" libs >"$dir/make.log" 2>&1) \
      || sb_die "librdkafka build failed, see $dir/configure.log and $dir/make.log"
  fi
  local libs
  libs="$(sed -n 's/^LIBS+=//p' "$dir/librdkafka/Makefile.config" | tr '\n' ' ')"
  # Built aside and moved in: a broker being started meanwhile runs the old or the new binary,
  # never a half-written one.
  # shellcheck disable=SC2086
  gcc -O2 -Wall -o "$bin.new" "$src" -I"$dir/librdkafka/src" "$dir/librdkafka/src/librdkafka.a" $libs \
    || sb_die "compiling the broker launcher failed"
  mv -f "$bin.new" "$bin"
  echo "$want" >"$stamp"
  exec {build_lock}>&-
}

broker_running() { [ -f "$BROKER_PID" ] && kill -0 "$(cat "$BROKER_PID")" 2>/dev/null; }

write_topics() {
  # Every topic of the catalog (and its DLQ), as "name partitions" lines.
  node "$SB_ROOT/tools/stack/topics.mjs" >"$TOPICS_FILE.tmp" && mv "$TOPICS_FILE.tmp" "$TOPICS_FILE"
}

broker_control() {
  local addr; addr="$(sed -n 's/^KAFKA_CONTROL=//p' "$BROKER_ENV")"
  node -e '
    const [host, port] = process.argv[1].split(":");
    const s = require("node:net").connect(+port, host, () => s.write(process.argv[2] + "\n"));
    s.on("data", (d) => { process.stdout.write(d); s.end(); });
    s.on("error", (e) => { console.error(e.message); process.exit(1); });
  ' "$addr" "$1"
}

broker_up() {
  ensure_broker_built
  write_topics
  if broker_running; then
    # A broker started from an older build keeps running (others may be using it): say so.
    local exe; exe="$(readlink "/proc/$(cat "$BROKER_PID")/exe" 2>/dev/null || true)"
    if [ -n "$exe" ] && [ "$exe" != "$(broker_bin)" ]; then
      sb_log "the running broker is an older build ($exe); 'tools/stack/stack.sh down' then 'up' restarts it on the current one"
    fi
    # Topics added to the catalog since the broker started are created now.
    local name parts
    while read -r name parts; do broker_control "topic $name $parts" >/dev/null || true; done <"$TOPICS_FILE"
    return 0
  fi
  rm -f "$BROKER_ENV"
  sb_log "starting the Kafka-protocol broker"
  setsid "$(broker_bin)" --topics "$TOPICS_FILE" --bootstrap-file "$BROKER_ENV" \
    --control-port "${SWITCHBOARD_BROKER_CONTROL_PORT:-0}" >"$SB_STACK_DIR/logs/broker.log" 2>&1 </dev/null &
  echo $! >"$BROKER_PID"
  local i
  for i in $(seq 1 100); do
    [ -s "$BROKER_ENV" ] && break
    broker_running || sb_die "the broker exited, see $SB_STACK_DIR/logs/broker.log"
    sleep 0.1
  done
  [ -s "$BROKER_ENV" ] || sb_die "the broker did not report its address, see $SB_STACK_DIR/logs/broker.log"
  [ "$(broker_control ping)" = "ok" ] || sb_die "the broker's control interface does not answer"
}

broker_down() {
  if broker_running; then
    sb_log "stopping the broker"
    kill "$(cat "$BROKER_PID")" 2>/dev/null || true
    local i; for i in $(seq 1 50); do broker_running || break; sleep 0.1; done
  fi
  rm -f "$BROKER_PID" "$BROKER_ENV"
}

# --- the settings everyone reads -----------------------------------------------------------

write_env() {
  local db upper
  {
    echo "# Written by tools/stack/stack.sh; read by the services and the tests."
    echo "PG_HOST=127.0.0.1"
    echo "PG_PORT=$PG_PORT"
    echo "PG_ADMIN_URL=postgres://postgres:$SB_DB_PASSWORD@127.0.0.1:$PG_PORT/postgres"
    for db in $SB_DATABASES; do
      upper="$(echo "$db" | tr '[:lower:]' '[:upper:]')"
      echo "${upper}_DATABASE_URL=postgres://${db}_app:$SB_DB_PASSWORD@127.0.0.1:$PG_PORT/$db"
      echo "${upper}_DATABASE_OWNER_URL=postgres://${db}_owner:$SB_DB_PASSWORD@127.0.0.1:$PG_PORT/$db"
    done
    cat "$BROKER_ENV"
    # The broker binary, for tests that start a private broker to inject faults into.
    echo "SB_BROKER_BIN=$(broker_bin)"
    echo "SB_TOPICS_FILE=$TOPICS_FILE"
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

status() {
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT (data $PG_DATA)"; else echo "postgres: stopped"; fi
  if broker_running; then echo "broker:   running, $(tr '\n' ' ' <"$BROKER_ENV")"; else echo "broker:   stopped"; fi
}

case "${1:-up}" in
  up)
    sb_bootstrap
    postgres_up
    broker_up
    write_env
    status
    sb_log "connection settings: $ENV_FILE"
    ;;
  down) broker_down; postgres_down ;;
  reset)
    broker_down; postgres_down
    sb_log "wiping $PG_DIR"
    rm -rf "$PG_DIR" "$ENV_FILE" "$TOPICS_FILE"
    ;;
  status) status ;;
  env) cat "$ENV_FILE" ;;
  control) shift; broker_control "$*" ;;
  *) echo "usage: $0 up|down|reset|status|env|control <command>" >&2; exit 2 ;;
esac
