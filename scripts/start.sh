#!/usr/bin/env bash
# Starts a Spiral Network node (demo territory on first start), setting up Node.js and
# dependencies first when needed, and compiling the node when a source changed since the last
# build (scripts/build.ts → node/dist/js/). Configuration: environment variables (see
# docs/running-a-node.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

BUILT="node/dist/js/main.js"
# Anything the build reads: sources, migrations (read at run time, but a new one comes with new
# code), the lock file (dependency versions), the build script and the TypeScript settings.
stale() {
  [ ! -f "$BUILT" ] && return 0
  [ -n "$(find protocol/src admin-ui/src node/src node/drizzle scripts/build.ts package-lock.json \
    tsconfig.json tsconfig.base.json -newer "$BUILT" -print -quit)" ]
}
if stale; then
  log "compiling the node (scripts/build.ts)"
  node --import tsx scripts/build.ts
fi
# V8 told to favour memory over speed: idle RSS ≈ 116 MB instead of ≈ 159 MB, for ≈ 20 % more
# CPU at start (docs/benchmarks.md, "A light node"). scripts/bench.ts starts the node with these.
NODE_RUN_FLAGS=(--optimize-for-size)
exec node "${NODE_RUN_FLAGS[@]}" "$BUILT" "$@"
