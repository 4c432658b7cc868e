# Sourced by scripts/activemq.sh and scripts/chromium.sh: installs Debian packages with apt-get,
# as root or with password-less sudo; otherwise prints the command for an admin to run.
#
#   apt_install NAME HINT PKG...   # NAME prefixes messages; HINT says what to do without apt-get

apt_install() {
  local name="$1" hint="$2"
  shift 2
  local pkgs="$*"
  local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "$name: need to install: $pkgs" >&2
      echo "  not root and no password-less sudo; as root, run:" >&2
      echo "    $cmd" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: need to install: $pkgs, but apt-get is not available (not Debian/Ubuntu)." >&2
    echo "  $hint" >&2
    return 1
  fi
  echo "$name: installing $pkgs (apt-get)"
  local log
  log="$(mktemp)"
  # shellcheck disable=SC2086 # $pkgs is a list of package names
  if ! { "${sudo[@]}" apt-get update -q \
      && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "$name: installation failed; the command was:" >&2
    echo "    ${sudo[*]:+sudo }$cmd" >&2
    return 1
  fi
  rm -f "$log"
}
