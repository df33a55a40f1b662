#!/usr/bin/env bash
# Starts a Spiral Network node (demo territory on first start), setting up Node.js and
# dependencies first when needed, and compiling the node when a source changed since the last
# build (scripts/build.ts → node/dist/js/). Configuration: environment variables (see
# docs/running-a-node.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

BUILT="node/dist/js/main.js"
# Anything the build reads: the three packages (sources, grid data, package.json exports; the
# migrations are read at run time but come with new code), the lock file (dependency versions),
# the build script and the TypeScript settings. node/dist (the build itself) does not count.
stale() {
  [ ! -f "$BUILT" ] && return 0
  [ -n "$(find protocol admin-ui node scripts/build.ts package-lock.json tsconfig.json \
    tsconfig.base.json -path node/dist -prune -o -newer "$BUILT" -print -quit)" ]
}
build_if_stale() {
  if stale; then
    log "compiling the node (scripts/build.ts)"
    node --import tsx scripts/build.ts
  fi
}
# Two nodes started at once (docs/joining-the-network.md) compile one after the other.
mkdir -p node/dist
if command -v flock >/dev/null 2>&1; then
  (
    flock 9
    build_if_stale
  ) 9>node/dist/.build-lock
else
  build_if_stale
fi
# V8 told to favour memory over speed: idle RSS ≈ 116 MB instead of ≈ 155 MB (measured with
# Fedify loaded; ≈ 94 MiB before federation loads it), for ≈ 20 % more
# CPU at start and ≈ 35 % more on heavy work such as a large import (docs/benchmarks.md, "A
# light node"). SPIRAL_NODE_FLAGS replaces them (SPIRAL_NODE_FLAGS= for V8's defaults).
# scripts/bench.ts starts the node with the flags of the next line.
NODE_RUN_FLAGS=(--optimize-for-size)
if [ -n "${SPIRAL_NODE_FLAGS+set}" ]; then read -r -a NODE_RUN_FLAGS <<<"$SPIRAL_NODE_FLAGS"; fi
exec node "${NODE_RUN_FLAGS[@]}" "$BUILT" "$@"
