#!/usr/bin/env bash
# Runs the whole test suite: type-check, lint, then vitest (its summary is the last line).
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
export CI="${CI:-}"
npm run --silent typecheck
npm run --silent lint
exec npx vitest run "$@"
