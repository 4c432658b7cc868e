#!/usr/bin/env bash
# IBM's own SOAR client (resilient-circuits 51.x and the probe package fn_clearing_ping) for the
# conformance tests in test/ibm. The team's tool ../shared/tools/ibm-client/install.sh installs it
# from vendored sources and Debian's Python packages (apt-get, as root or with password-less sudo)
# into a virtual environment, by default .ibm-client/venv in the repository.
# Without ../shared beside the repository there is nothing to install (the tests skip).
#
#   bash scripts/ibm-client.sh install   # install, or refresh when its sources changed; quiet when current
#   bash scripts/ibm-client.sh check     # exit 0 when installed and current, else say why
#
# SC_IBM_CLIENT_VENV names another venv directory; SC_IBM_CLIENT_TOOL another install.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="${SC_IBM_CLIENT_TOOL:-$root/../shared/tools/ibm-client/install.sh}"
venv="${SC_IBM_CLIENT_VENV:-$root/.ibm-client/venv}"
stamp="$venv/.sc-installed"

# Why the installed client is not current (empty when it is).
stale() {
  if [ ! -f "$tool" ]; then
    echo "no $tool (../shared is not beside the repository)"
  elif [ ! -x "$venv/bin/resilient-circuits" ] || [ ! -f "$stamp" ]; then
    echo "not installed in $venv"
  else
    local src
    src="$(cd "$(dirname "$tool")" && pwd)"
    # The tool and the vendored sources it installs from: anything newer than the last install.
    if [ -n "$(find "$src" "$src/../../vendor" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
      echo "its sources changed since the install in $venv"
    fi
  fi
}

check() {
  local why
  why="$(stale)"
  [ -z "$why" ] && return 0
  echo "ibm-client.sh check: $why" >&2
  echo "fix: bash scripts/ibm-client.sh install" >&2
  return 1
}

install() {
  if [ ! -f "$tool" ]; then
    echo "ibm-client.sh: $tool not found; nothing to install (the IBM client tests skip)"
    return 0
  fi
  [ -z "$(stale)" ] && return 0
  mkdir -p "$(dirname "$venv")"
  # One install at a time per venv (two test runs of one checkout may start together).
  exec 9>"$venv.lock"
  flock 9
  [ -z "$(stale)" ] && return 0
  echo "ibm-client.sh: installing IBM resilient-circuits into $venv"
  bash "$tool" "$venv"
  touch "$stamp"
}

case "${1:-}" in
  install) install ;;
  check) check ;;
  *)
    echo "usage: bash scripts/ibm-client.sh install|check" >&2
    exit 2
    ;;
esac
