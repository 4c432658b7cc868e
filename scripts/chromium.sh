#!/usr/bin/env bash
# The browser of the browser tests (test/browser): Debian's chromium, driven headless by
# playwright-core. Never downloads a browser of its own.
#
#   bash scripts/chromium.sh install   # apt-get install chromium when missing; quiet if present
#   bash scripts/chromium.sh check     # exit 0 if it is there, else say what is missing
#
# SC_CHROMIUM names another chromium binary (default /usr/bin/chromium).
set -euo pipefail

CHROMIUM="${SC_CHROMIUM:-/usr/bin/chromium}"

check() {
  if [ -x "$CHROMIUM" ]; then
    return 0
  fi
  echo "chromium.sh check: missing: chromium ($CHROMIUM not found)" >&2
  echo "fix: bash scripts/chromium.sh install" >&2
  return 1
}

install() {
  [ -x "$CHROMIUM" ] && return 0
  local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "chromium.sh: need to install chromium" >&2
      echo "  not root and no password-less sudo; as root, run:" >&2
      echo "    $cmd" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium.sh: need chromium, but apt-get is not available (not Debian/Ubuntu)." >&2
    echo "  Install Chromium and set SC_CHROMIUM to its binary." >&2
    return 1
  fi
  echo "chromium.sh: installing chromium (apt-get)"
  local log
  log="$(mktemp)"
  if ! { "${sudo[@]}" apt-get update -q \
      && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "chromium.sh: installation failed; the command was:" >&2
    echo "    $cmd" >&2
    return 1
  fi
  rm -f "$log"
  check
}

case "${1:-}" in
  install) install ;;
  check) check ;;
  *)
    echo "usage: bash scripts/chromium.sh install|check" >&2
    exit 2
    ;;
esac
