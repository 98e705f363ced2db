#!/usr/bin/env bash
# Refreshes proto/baseline.binpb, the image of the published contract that `buf breaking`
# compares proto/ against (tools/checks/proto.sh). Commit the new baseline with the change.
#
#   tools/scripts/proto-baseline.sh
#       After compatible changes are released (new fields, messages, packages): checks that
#       proto/ is still compatible with the current baseline, then locks the additions in, so
#       later commits cannot remove or renumber them either.
#   tools/scripts/proto-baseline.sh --accept-breaking "<reason>"
#       Deliberately publishes an incompatible contract, e.g. when a retired major version
#       (switchboard.<domain>.v1 after its v2 has replaced it and the deprecation period is
#       over) is deleted. Prints what breaks; the reason goes in the commit message.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
cd "$root/proto"

accept=""
if [ "${1:-}" = "--accept-breaking" ]; then
  accept="${2:?--accept-breaking needs a reason}"
fi

if [ -f baseline.binpb ]; then
  if ! buf breaking --against baseline.binpb; then
    if [ -z "$accept" ]; then
      echo "proto/ is not compatible with proto/baseline.binpb (see above); the baseline is unchanged." >&2
      echo "If this break is deliberate (a new major version replaces a retired one), rerun with" >&2
      echo "  tools/scripts/proto-baseline.sh --accept-breaking \"<reason>\"" >&2
      exit 1
    fi
    echo "accepting the breaking changes above: $accept" >&2
  fi
fi
buf lint
# Imports (google/protobuf/*) are included so the image is self-contained; source info
# (comments, positions) is left out: breaking detection does not need it.
buf build --exclude-source-info -o baseline.binpb
echo "wrote proto/baseline.binpb; commit it"
