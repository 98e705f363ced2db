#!/usr/bin/env bash
# The stress run: the whole test command (tools/test.sh) N times in a row, from a fresh clone of
# HEAD in a temporary directory, while another process keeps one core busy, as on a CI machine
# busy with other work. Prints each run's duration and outcome; exits non-zero if any run failed.
#
#   bash tools/stress-test.sh [--runs N] [--burn-minutes M] [--no-burn] [--keep] [--dry-run]
#
#   --runs N          how many runs (default 3)
#   --burn-minutes M  the CPU burner stops by itself after M minutes at the latest
#                     (default 60 per run); it also stops when this script ends, however it ends
#   --no-burn         no CPU burner (a baseline to compare with)
#   --keep            keep the clone (and its stopped stack's data) for a look afterwards
#   --dry-run         say what would run, and run nothing
#
# The clone runs with a clean environment (no stack settings of this shell leak into it) and
# starts a stack of its own (.stack in the clone: its own PostgreSQL data directory, next free
# port, and broker), which tools/test.sh stops after each run; it is wiped at the end unless
# --keep. Caches (Node, the broker build: $SWITCHBOARD_CACHE or ~/.cache/switchboard) are shared.
# The npm dependencies are installed into the clone before the first run, outside its time.
# Only committed work is tested: uncommitted changes of this checkout are not in the clone.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

runs=3
burn_minutes=""
burn=yes
keep=no
dry_run=no
usage() { sed -n '2,/^source /p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs | -n) [ $# -ge 2 ] || usage; runs="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --burn-minutes) [ $# -ge 2 ] || usage; burn_minutes="$2"; shift 2 ;;
    --burn-minutes=*) burn_minutes="${1#*=}"; shift ;;
    --no-burn) burn=no; shift ;;
    --keep) keep=yes; shift ;;
    --dry-run) dry_run=yes; shift ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || sb_die "--runs wants a positive number, not '$runs'"
burn_minutes="${burn_minutes:-$((runs * 60))}"
[[ "$burn_minutes" =~ ^[1-9][0-9]*$ ]] || sb_die "--burn-minutes wants a positive number, not '$burn_minutes'"

sha="$(git -C "$SB_ROOT" rev-parse --verify HEAD)" || sb_die "$SB_ROOT is not a git checkout with a commit"
# (--no-optional-locks: only looks; never refreshes the checkout's index.)
dirty="$(git -C "$SB_ROOT" --no-optional-locks status --porcelain --untracked-files=no | wc -l)"

# The environment of the runs: what a fresh shell of this user has, nothing of this checkout.
clean_env=()
while IFS= read -r name; do
  case "$name" in
    HOME | USER | LOGNAME | SHELL | LANG | LC_* | TERM | TZ | TMPDIR | CI) ;;
    http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY) ;;
    NODE_EXTRA_CA_CERTS | SSL_CERT_FILE | SSL_CERT_DIR | npm_config_* | NPM_CONFIG_*) ;;
    XDG_CACHE_HOME | SWITCHBOARD_CACHE) ;;
    *) continue ;;
  esac
  clean_env+=("$name=${!name}")
done < <(compgen -e)
path=""
IFS=: read -r -a path_entries <<<"$PATH"
for entry in "${path_entries[@]}"; do
  case "$entry" in "$SB_ROOT" | "$SB_ROOT"/*) continue ;; esac
  path="${path:+$path:}$entry"
done
clean_env+=("PATH=$path")

if [ "$dry_run" = yes ]; then
  echo "would clone $SB_ROOT at $sha into a new directory under ${TMPDIR:-/tmp}"
  [ "$dirty" -gt 0 ] && echo "($dirty uncommitted change(s) of this checkout would not be tested)"
  echo "would install the npm dependencies there, then run 'bash tools/test.sh' $runs time(s) in a row"
  if [ "$burn" = yes ]; then
    echo "while one process keeps a core busy (stopping by itself after $burn_minutes minute(s) at the latest)"
  else
    echo "with no CPU burner"
  fi
  echo "with the environment: ${clean_env[*]%%=*}"
  [ "$keep" = yes ] && echo "and keep the clone afterwards" || echo "and wipe the clone and its stack afterwards"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-stress.XXXXXX")"
clone="$work/switchboard"
logs="$work/logs"
mkdir -p "$logs"
in_clone() { (cd "$clone" && env -i "${clean_env[@]}" "$@"); }

burner=""
cleanup() {
  [ -n "$burner" ] && kill "$burner" 2>/dev/null
  if [ -d "$clone" ] && [ "$keep" = no ]; then
    # The clone's own stack (its .stack directory only: the environment names no other).
    in_clone bash tools/stack/stack.sh reset >>"$logs/cleanup.log" 2>&1 || true
    rm -rf "$clone"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sb_log "cloning $sha into $clone"
[ "$dirty" -gt 0 ] && sb_log "note: $dirty uncommitted change(s) of this checkout are not tested"
git clone --quiet --no-checkout "$SB_ROOT" "$clone"
git -C "$clone" checkout --quiet --detach "$sha"
# The tests read vendors' specs and CRDs from ../shared, next to the checkout: the same next to
# the clone.
[ -d "$SB_ROOT/../shared" ] && ln -s "$(cd "$SB_ROOT/../shared" && pwd)" "$work/shared"

sb_log "installing the npm dependencies into the clone (not timed)"
in_clone bash -c 'source tools/lib/common.sh && sb_bootstrap' >"$logs/install.log" 2>&1 \
  || sb_die "installing the dependencies failed, see $logs/install.log"

# One core busy for the whole stress run. Bounded: it stops after --burn-minutes, and as soon
# as this script is gone, even if the script is killed without a chance to clean up.
burn_cpu() {
  local watched="$1" deadline=$((SECONDS + $2)) i
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$watched" 2>/dev/null; do
    for ((i = 0; i < 100000; i++)); do :; done
  done
}
if [ "$burn" = yes ]; then
  burn_cpu "$$" "$((burn_minutes * 60))" &
  burner=$!
  sb_log "CPU burner running (pid $burner, stops by itself within $burn_minutes minute(s))"
fi

results=()
failed_runs=0
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  sb_log "run $run of $runs: bash tools/test.sh (log: $log)"
  started=$SECONDS
  if in_clone bash tools/test.sh >"$log" 2>&1; then outcome=passed; else outcome=FAILED; fi
  took=$((SECONDS - started))
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)"
  [[ "$summary" =~ ^[0-9]+\ passed,\ 0\ failed ]] || outcome=FAILED
  [ "$outcome" = passed ] || failed_runs=$((failed_runs + 1))
  line="$(printf 'run %d: %-6s in %dm%02ds  (%s)' "$run" "$outcome" $((took / 60)) $((took % 60)) "${summary:-no summary line}")"
  results+=("$line")
  echo "$line"
done

echo
echo "stress run of $sha: $runs run(s), $failed_runs failed$([ "$burn" = yes ] && echo ', one core kept busy')"
printf '  %s\n' "${results[@]}"
echo "logs: $logs"
[ "$keep" = yes ] && echo "clone kept: $clone"
[ "$failed_runs" -eq 0 ]
