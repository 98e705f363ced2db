#!/usr/bin/env bash
# Writes the standard project.json (build, typecheck, lint, test targets) for a project.
# Usage: tools/scripts/project-json.sh <projectRoot> <name> <tag> [<tag> ...]
set -euo pipefail
root="$1"; name="$2"; shift 2
up="$(realpath --relative-to="$root" .)"
tags=$(printf '"%s",' "$@"); tags="[${tags%,}]"
cat >"$root/project.json" <<JSON
{
  "\$schema": "$up/node_modules/nx/schemas/project-schema.json",
  "name": "$name",
  "sourceRoot": "$root/src",
  "tags": $tags,
  "targets": {
    "build": { "executor": "nx:run-commands", "options": { "command": "node tools/build.mjs $root" } },
    "typecheck": { "executor": "nx:run-commands", "options": { "command": "tsc -p $root/tsconfig.json --noEmit" } },
    "lint": { "executor": "nx:run-commands", "options": { "command": "eslint $root" } },
    "test": { "executor": "nx:run-commands", "options": { "command": "jest -c jest.unit.config.js --passWithNoTests $root" } },
    "integration-test": { "executor": "nx:run-commands", "options": { "command": "jest -c jest.integration.config.js --passWithNoTests $root" } }
  }
}
JSON
[ -f "$root/tsconfig.json" ] || cat >"$root/tsconfig.json" <<JSON
{ "extends": "$up/tsconfig.base.json", "include": ["src/**/*.ts", "test/**/*.ts"] }
JSON
"$(dirname "$0")/../../node_modules/.bin/prettier" --write "$root/project.json" "$root/tsconfig.json" --log-level warn
