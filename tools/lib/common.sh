# Sourced by the project's scripts. Makes sure Node 24 and the npm dependencies are present,
# and defines the paths every script shares. Safe to source more than once.
set -euo pipefail

SB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SB_CACHE="${SWITCHBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}"
SB_STACK_DIR="${SWITCHBOARD_STACK_DIR:-$SB_ROOT/.stack}"
SB_NODE_MAJOR=24
export SB_ROOT SB_CACHE SB_STACK_DIR
export APOLLO_TELEMETRY_DISABLED=true NX_NO_CLOUD=true NX_DAEMON=false

sb_log() { printf '\033[1;34m[switchboard]\033[0m %s\n' "$*" >&2; }
sb_die() { printf '\033[1;31m[switchboard] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Node 24 LTS. The machine's node may be older: install Node 24 from npm's node-linux-<arch>
# package into the cache and put it first on PATH (npm and npx then run on it too).
sb_ensure_node() {
  local major=""
  command -v node >/dev/null 2>&1 && major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" = "$SB_NODE_MAJOR" ]; then return 0; fi
  local arch; arch="$(uname -m)"
  case "$arch" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; esac
  local prefix="$SB_CACHE/node$SB_NODE_MAJOR"
  if [ ! -x "$prefix/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || sb_apt_install "npm installs Node $SB_NODE_MAJOR" nodejs npm
    command -v npm >/dev/null 2>&1 || sb_die "npm is needed to install Node $SB_NODE_MAJOR"
    sb_log "installing Node $SB_NODE_MAJOR into $prefix (the machine has ${major:-no} node)"
    mkdir -p "$prefix"
    npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error \
      "node-linux-$arch@$SB_NODE_MAJOR" >/dev/null
  fi
  export PATH="$prefix/bin:$PATH"
  hash -r
  [ "$(node -p 'process.versions.node.split(".")[0]')" = "$SB_NODE_MAJOR" ] \
    || sb_die "Node $SB_NODE_MAJOR not usable from $prefix"
}

# npm dependencies from the committed lockfile; reinstalled only when the lockfile changed.
# `npm install` rather than `npm ci`: the registry mirror reachable here serves only this
# platform's optional binaries (no darwin/win32 builds of swc, buf...), which `npm ci`'s
# lockfile check insists on. With an up-to-date lockfile `npm install` installs exactly it.
sb_ensure_deps() {
  local stamp="$SB_ROOT/node_modules/.switchboard-lock"
  local want; want="$(sha256sum "$SB_ROOT/package-lock.json" | cut -d' ' -f1)-$(node -v)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  sb_log "installing npm dependencies from package-lock.json"
  (cd "$SB_ROOT" && npm install --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

sb_bootstrap() {
  sb_ensure_node
  # kafkajs 2.2.4 computes negative timer delays, which Node 24 reports on every consumer
  # start; harmless (Node clamps them to 1 ms), so the warning is silenced, on Node 24 only.
  case " ${NODE_OPTIONS:-} " in
    *" --disable-warning=TimeoutNegativeWarning "*) ;;
    *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning" ;;
  esac
  sb_ensure_deps
  export PATH="$SB_ROOT/node_modules/.bin:$PATH"
}

# Installs Debian packages (`sb_apt_install <why> <package>...`): non-interactive, as root or with
# sudo; without either it stops with the apt-get line to run once.
sb_apt_install() {
  local why="$1"; shift
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
      || sb_die "$why: run 'sudo apt-get install -y $*' once"
    sudo="sudo -n"
  fi
  sb_log "installing $* from apt ($why)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Debian's chromium, for the web console's browser tests (playwright-core drives it). Installed
# from apt like PostgreSQL (tools/stack/stack.sh); nothing to do when a chromium is already on PATH.
sb_ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  sb_apt_install "the console's browser tests" chromium
  command -v chromium >/dev/null 2>&1 || sb_die "chromium install failed"
}
