#!/usr/bin/env bash
# The test world's message broker: Debian's Apache ActiveMQ 5.x (the family SOAR embeds), plus
# what the test harness needs next to it (java, keytool, openssl for the test PKI, and jcmd from
# a JDK: the soak benchmark counts the objects the broker retains with `jcmd <pid> GC.class_histogram`).
#
#   bash scripts/activemq.sh install   # apt-get install what is missing; quiet if nothing is
#   bash scripts/activemq.sh check     # exit 0 if everything is there, else say what is missing
#
# The tests start private broker instances themselves (test/support/broker.ts); this script
# never starts the system service.
set -euo pipefail

ACTIVEMQ_HOME="${SC_ACTIVEMQ_HOME:-/usr/share/activemq}"
JAR="$ACTIVEMQ_HOME/bin/activemq.jar"
# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || true
  fi
}

# Prints the Debian packages that would provide what is missing, one per line.
missing_packages() {
  [ -f "$JAR" ] || echo activemq
  if [ -z "$(java_bin)" ] || ! command -v keytool >/dev/null 2>&1; then
    # activemq depends on a JRE, but say it explicitly in case only the jar is present.
    echo default-jre-headless
  fi
  command -v openssl >/dev/null 2>&1 || echo openssl
  command -v jcmd >/dev/null 2>&1 || echo default-jdk-headless
}

check() {
  local problems=()
  [ -f "$JAR" ] || problems+=("ActiveMQ ($JAR not found)")
  [ -n "$(java_bin)" ] || problems+=("java (not on PATH, JAVA_HOME unset)")
  command -v keytool >/dev/null 2>&1 || problems+=("keytool (comes with the JRE)")
  command -v openssl >/dev/null 2>&1 || problems+=("openssl")
  command -v jcmd >/dev/null 2>&1 || problems+=("jcmd (comes with a JDK: default-jdk-headless)")
  if [ "${#problems[@]}" -eq 0 ]; then
    return 0
  fi
  echo "activemq.sh check: missing:" >&2
  for p in "${problems[@]}"; do echo "  - $p" >&2; done
  echo "fix: bash scripts/activemq.sh install" >&2
  return 1
}

install() {
  local pkgs
  pkgs="$(missing_packages | tr '\n' ' ' | sed 's/ *$//')"
  [ -z "$pkgs" ] && return 0
  # shellcheck disable=SC2086 # $pkgs is a list of package names
  apt_install activemq.sh "Install Apache ActiveMQ 5.x, a Java runtime with jcmd (a JDK) and openssl, then set SC_ACTIVEMQ_HOME to the ActiveMQ directory holding bin/activemq.jar (default /usr/share/activemq)." $pkgs || return 1
  # Debian's package enables no broker instance (/etc/activemq/instances-enabled is empty), so
  # nothing is left listening; the tests start their own private instances.
  if ! check; then
    echo "activemq.sh: apt-get installed $pkgs, but the above is still missing" >&2
    return 1
  fi
}

case "${1:-}" in
  install) install ;;
  check) check ;;
  *)
    echo "usage: bash scripts/activemq.sh install|check" >&2
    exit 2
    ;;
esac
