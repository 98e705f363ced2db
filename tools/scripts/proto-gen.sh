#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen from proto/ (protoc-gen-es, local plugin; no network),
# then writes the barrels: one index.ts per protobuf package and gen/index.ts exporting each
# package as a namespace (switchboard.messaging.v1 → messagingV1).
# Usage: tools/scripts/proto-gen.sh [<output base>]
#   Without an argument it writes into the repository. With one, it writes the same tree under
#   <output base>/libs/contracts/src/gen (tools/checks/proto.sh compares the two).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
base="${1:-$root}"
cd "$root"

buf generate --template proto/buf.gen.yaml --output "$base"
node tools/scripts/proto-barrels.mjs "$base/libs/contracts/src/gen"
