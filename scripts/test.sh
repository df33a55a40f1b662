#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: fetches Node.js and the dependencies when needed
# (lib/toolchain.sh), installs Debian's Chromium for the browser tests when missing
# (lib/chromium.sh), then type-check, lint and vitest. The last line is the plain summary
# "vitest: N passed, N failed" (vitest prints performance hints after its own summary).
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$SPIRAL_ROOT/scripts/lib/chromium.sh"
ensure_chromium
npm run --silent typecheck
npm run --silent lint
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
npx vitest run "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests +' | tail -n 1)"
count() { printf '%s' "$summary" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
skipped="$(count skipped)"
printf '\nvitest: %s passed, %s failed%s\n' "$(count passed)" "$(count failed)" \
  "$([ "$skipped" != 0 ] && printf ', %s skipped' "$skipped")"
exit "$status"
