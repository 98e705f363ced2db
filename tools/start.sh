#!/usr/bin/env bash
# The start command: installs what is missing (Node 24, npm dependencies, PostgreSQL, the
# broker), starts the local stack, runs every service's migrations, starts every service that
# exists and the gateway, and prints the URLs. Ctrl-C stops the services (the stack keeps
# running: `tools/stack/stack.sh down` stops it).
#
# By default every service and the gateway run in one Node process, each in a worker thread of
# its own (tools/platform/single-process.cjs): the footprint of a small install. The services
# still talk only over Kafka and keep their own databases. `--processes` runs one process per
# service instead, as the Helm chart does.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
sb_bootstrap
cd "$SB_ROOT"

mode=single
for arg in "$@"; do
  case "$arg" in
    --processes) mode=processes ;;
    --single-process) mode=single ;;
    *) sb_die "unknown option $arg (use --processes or --single-process)" ;;
  esac
done
# Node's memory settings (issue 17, bench/README.md "Memory flags vs speed"): a 4 MiB semi-space
# (young generation) and old generations that grow by 10 % at a time. The earlier flags paired
# a semi-space (2, later 8 MiB) with --optimize-for-size; but --optimize-for-size pins V8's young
# generation at 1-2 MiB whatever the semi-space flag says, and garbage collection took 13-21 %
# of every component's CPU under load. Without it, young generations grow to their cap (7
# components x 3 x the semi-space) and old generations by V8's default factor: at 8 MiB and no
# growth limit the platform passed 1 GiB after a minute of load. 4 MiB and 10 % keep it well
# under 1 GiB (B8; the margin is in bench/README.md). SWITCHBOARD_NODE_FLAGS replaces these flags:
# on a machine with memory to spare, "--max-semi-space-size=4 --heap-growing-percent=50" (fewer
# major collections: ~8 % more single sends, ~40 % more batch sends and a shorter latency tail,
# for ~150 MiB more after a minute of load; measured in bench/README.md). Adding
# --v8-pool-size=1 (one thread of garbage-collection helpers for the process instead of four,
# which on a small machine compete with the components for the cores) halves the p99 of single
# sends at moderate load, for ~75-120 MiB more after a minute of load.
read -r -a NODE_MEMORY_FLAGS <<<"${SWITCHBOARD_NODE_FLAGS:---max-semi-space-size=4 --heap-growing-percent=10}"

node tools/build.mjs >/dev/null
bash tools/stack/stack.sh up
set -a; source "$SB_STACK_DIR/env"; set +a
export NODE_ENV="${NODE_ENV:-development}"
# Settings shared by the services and the gateway on this machine (development values).
export AUTH_ISSUER="${AUTH_ISSUER:-urn:switchboard:accounts}" AUTH_AUDIENCE="${AUTH_AUDIENCE:-switchboard-api}"
export AUTH_JWKS_URL="${AUTH_JWKS_URL:-http://127.0.0.1:4101/.well-known/jwks.json}"
export ACCOUNTS_TOKEN_EXCHANGE_URL="${ACCOUNTS_TOKEN_EXCHANGE_URL:-http://127.0.0.1:4101/internal/token-exchange}"
export INTERNAL_API_SECRET="${INTERNAL_API_SECRET:-development-only-internal-secret}"
# Links in mails (verification, invitations, password resets) open the console the gateway serves.
export APP_BASE_URL="${APP_BASE_URL:-http://127.0.0.1:4000}"
# Where Stripe Checkout sends a customer back (billing): the same console.
export PUBLIC_APP_URL="${PUBLIC_APP_URL:-$APP_BASE_URL}"
# The gateway sends it to the subgraphs, whose /graphql refuse requests without it.
export SUBGRAPH_SHARED_SECRET="${SUBGRAPH_SHARED_SECRET:-development-only-subgraph-secret}"
LOGS="$SB_STACK_DIR/logs"
pids=()

stopping=no
stop_all() {
  stopping=yes
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    sb_log "stopping ${#pids[@]} process(es)"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop_all INT TERM EXIT

wait_healthy() {
  local name="$1" port="$2" i log="$LOGS/$1.log"
  [ "$mode" = single ] && log="$LOGS/platform.log"
  for i in $(seq 1 120); do
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:$port/health/live" && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || sb_die "$name exited during start-up, see $log"
    sleep 0.5
  done
  sb_die "$name did not become healthy on port $port, see $log"
}

urls=()
while read -r name root port; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -f "$root/src/main.ts" ] || continue
  # The gateway serves the committed supergraph; without one there is nothing to serve yet.
  if [ "$name" = gateway ] && [ ! -f gateway/supergraph.graphql ]; then continue; fi
  main="dist/$root/src/main.js"
  # Each service reads generic names; the stack's settings are per database.
  db="$(echo "$name" | tr '[:lower:]-' '[:upper:]_')"
  app_url_var="${db}_DATABASE_URL" owner_url_var="${db}_DATABASE_OWNER_URL"
  export DATABASE_URL="${!app_url_var:-}" DATABASE_OWNER_URL="${!owner_url_var:-}"
  if [ -f "dist/$root/src/migrate.js" ]; then
    sb_log "migrating $name"
    node "dist/$root/src/migrate.js" >>"$LOGS/$name.log" 2>&1 || sb_die "migrations of $name failed, see $LOGS/$name.log"
  fi
  urls+=("$name http://127.0.0.1:$port")
  if [ "$name" = devices ]; then devices_port="$port"; fi
  [ "$mode" = processes ] || continue
  sb_log "starting $name on :$port (log: $LOGS/$name.log)"
  PORT="$port" KAFKA_FAST_CONSUMERS=true node --enable-source-maps "${NODE_MEMORY_FLAGS[@]}" "$main" >>"$LOGS/$name.log" 2>&1 &
  pids+=($!)
  wait_healthy "$name" "$port"
done <tools/services.txt

if [ "$mode" = single ] && [ "${#urls[@]}" -gt 0 ]; then
  sb_log "starting ${#urls[@]} components in one process (log: $LOGS/platform.log)"
  # Each component takes its port from services.txt and its database from <NAME>_DATABASE_URL.
  KAFKA_FAST_CONSUMERS=true node --enable-source-maps "${NODE_MEMORY_FLAGS[@]}" \
    tools/platform/single-process.cjs >>"$LOGS/platform.log" 2>&1 &
  pids+=($!)
  for u in "${urls[@]}"; do
    set -- $u
    wait_healthy "$1" "${2##*:}"
  done
fi

echo
echo "Switchboard is running."
echo "  PostgreSQL   127.0.0.1:$PG_PORT (settings in $SB_STACK_DIR/env)"
echo "  Kafka        $KAFKA_BROKERS (broker control $KAFKA_CONTROL)"
for u in "${urls[@]}"; do printf '  %-12s %s\n' ${u}; done
if [ -f gateway/src/main.ts ]; then echo "  GraphQL      http://127.0.0.1:4000/graphql"; fi
if [ -f dist/console/index.html ]; then echo "  Console      http://127.0.0.1:4000/ (web console; dev server: npx vite console)"; fi
if [ -n "${devices_port:-}" ]; then
  # What enrollment hands phones (devices' own rule): DEVICE_API_PUBLIC_URL, PUBLIC_BASE_URL, or
  # this machine's LAN address, which a phone on the same Wi-Fi can reach.
  device_api="$(node -e '
    const { publicUrls } = require(process.argv[1]);
    const { DEVICE_API_PUBLIC_URL, PUBLIC_BASE_URL } = process.env;
    const settings = { DEVICE_API_PUBLIC_URL, PUBLIC_BASE_URL, PORT: Number(process.argv[2]) };
    console.log(publicUrls(settings, require("node:os").networkInterfaces()).deviceApiUrl);
  ' "$PWD/dist/services/devices/src/domain/public-urls.js" "$devices_port")"
  echo "  Device API   $device_api (SMSGate app: Settings → Cloud server → API URL)"
fi
echo "  Logs         $LOGS/"
echo "Press Ctrl-C to stop."
if [ "${#pids[@]}" -eq 0 ]; then
  # Nothing but the stack yet: keep the command in the foreground like the full platform.
  while true; do sleep 3600; done
fi
wait -n "${pids[@]}" || true
[ "$stopping" = yes ] || sb_log "a process exited; stopping the others"
