#!/usr/bin/env bash
# The partner contract (proto/): lint, format, generated code up to date, and no breaking
# change against the published baseline (and against origin/main when that ref exists).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
cd "$root"

failed=()
fail() {
  echo "✗ $1" >&2
  failed+=("$1")
}

echo "── buf lint (STANDARD + COMMENTS)"
(cd proto && buf lint) || fail "buf lint failed (see above)"

echo "── buf format"
(cd proto && buf format -d --exit-code) ||
  fail "proto files are not formatted: run (cd proto && buf format -w)"

echo "── generated code"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if bash tools/scripts/proto-gen.sh "$tmp" &&
  diff -rq "$tmp/libs/contracts/src/gen" libs/contracts/src/gen; then
  :
else
  fail "generated code is stale: run tools/scripts/proto-gen.sh"
fi

echo "── buf breaking (FILE) against proto/baseline.binpb"
if [ ! -f proto/baseline.binpb ]; then
  fail "proto/baseline.binpb is missing: run tools/scripts/proto-baseline.sh"
else
  (cd proto && buf breaking --against baseline.binpb) ||
    fail "breaking change against the published contract (proto/baseline.binpb): add a new field/message or a new major version instead; see proto/README.md"
fi

echo "── buf breaking (FILE) against origin/main"
if ! git rev-parse --verify --quiet origin/main >/dev/null; then
  echo "note: no origin/main ref in this clone; only the committed baseline was checked"
elif ! git cat-file -e origin/main:proto/buf.yaml 2>/dev/null; then
  echo "note: origin/main has no proto/buf.yaml yet; only the committed baseline was checked"
else
  (cd proto && buf breaking --against "../.git#branch=origin/main,subdir=proto")
  rc=$?
  case "$rc" in
    0) ;;
    100) fail "breaking change against origin/main (see above)" ;;
    *) echo "note: buf could not read origin/main (exit $rc, see above); only the committed baseline was checked" ;;
  esac
fi

if [ "${#failed[@]}" -gt 0 ]; then
  echo "proto check failed:" >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "proto check passed"
