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
# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

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
  apt_install chromium.sh "Install Chromium and set SC_CHROMIUM to its binary." chromium || return 1
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
