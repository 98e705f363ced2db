#!/usr/bin/env bash
# The committed gateway/supergraph.graphql must be the composition of the committed subgraph
# schemas (services/<name>/schema.graphql, kept current by each service's integration tests),
# and composition must succeed.
set -euo pipefail
cd "$(dirname "$0")/../.."
node tools/build.mjs gateway libs/config libs/auth libs/observability libs/errors >/dev/null
node dist/gateway/src/compose-supergraph.js --check
