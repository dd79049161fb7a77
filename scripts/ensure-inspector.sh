#!/usr/bin/env bash
# The MCP Inspector CLI (@modelcontextprotocol/inspector) needs Node >= 22.19 (the gateway runs on Node 20): installs it
# into .cache/inspector when it is not there yet (run it with the Node 22 of scripts/ensure-node22.sh) and prints the
# path of its launcher, e.g.
#   "$(scripts/ensure-node22.sh)" "$(scripts/ensure-inspector.sh)" --cli http://127.0.0.1:4444/mcp --transport http --method tools/list
# Kept out of package.json on purpose, like Node 22: it is a large tree only the inspector e2e test needs.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.12.0
DIR=.cache/inspector
PKG=$DIR/node_modules/@modelcontextprotocol/inspector
CLI=$PKG/clients/launcher/build/index.js
installed() { [ -f "$CLI" ] && [ "$(node -p "require('./$PKG/package.json').version" 2>/dev/null)" = "$VERSION" ]; }
if ! installed; then
  mkdir -p "$DIR"
  [ -f "$DIR/package.json" ] || echo '{"private":true}' > "$DIR/package.json"
  npm install --prefix "$DIR" --no-audit --no-fund --no-save "@modelcontextprotocol/inspector@$VERSION" >&2
  installed || { echo "ensure-inspector: $CLI missing after install" >&2; exit 1; }
fi
echo "$PWD/$CLI"
