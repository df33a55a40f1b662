#!/usr/bin/env bash
# Starts a Spiral Network node (demo territory on first start), setting up Node.js and
# dependencies first when needed. Configuration: environment variables (see docs/running-a-node.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
exec node --import tsx node/src/main.ts "$@"
