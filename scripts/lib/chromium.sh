# Sourced by scripts/test.sh. The browser tests (test/browser/ and the page checks) drive Debian's
# Chromium through playwright-core; no browser is ever downloaded. Installs it when missing. If
# that cannot be done, says so and carries on: the browser tests then fail with the same
# explanation (they are never skipped).
SPIRAL_CHROMIUM="${SPIRAL_CHROMIUM:-/usr/bin/chromium}"

ensure_chromium() {
  [ -x "$SPIRAL_CHROMIUM" ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" != 0 ] && [ -z "$sudo" ]; }; then
    echo "[spiral] cannot install Chromium (needs apt-get as root or passwordless sudo): the browser tests will fail" >&2
    return 0
  fi
  local log
  log="$(mktemp)"
  echo "[spiral] installing Chromium from the Debian packages for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y chromium </dev/null >"$log" 2>&1; then
    # A fresh image may have no package lists yet: refresh them once and retry.
    if ! { $sudo apt-get update </dev/null >>"$log" 2>&1 && $sudo apt-get install -y chromium </dev/null >>"$log" 2>&1; }; then
      tail -n 20 "$log" >&2
      echo "[spiral] could not install Chromium: apt-get failed (its last lines are above)" >&2
    fi
  fi
  rm -f "$log"
  if [ -x "$SPIRAL_CHROMIUM" ]; then
    echo "[spiral] $("$SPIRAL_CHROMIUM" --version 2>/dev/null || echo Chromium) installed" >&2
  else
    echo "[spiral] Chromium is still missing at $SPIRAL_CHROMIUM: the browser tests will fail" >&2
  fi
  return 0
}
