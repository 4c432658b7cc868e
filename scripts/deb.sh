#!/usr/bin/env bash
# `npm run package:deb`: builds build/soar-clearing_<version>_all.deb from the compiled tree
# (run `npm run build` first; the npm script does). The program is the npm tarball's content
# (`npm pack`: the same files) with its production dependencies as the lockfile pins them
# (`npm ci --omit=dev`), under /usr/lib/soar-clearing; the unit and maintainer scripts come from
# packaging/. Needs node, npm and dpkg-deb; no root.
#
#   bash scripts/deb.sh [OUTDIR]     # default OUTDIR: build/
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build}" && cd "${1:-$root/build}" && pwd)
command -v dpkg-deb >/dev/null || { echo "deb.sh: dpkg-deb not found (apt-get install dpkg)" >&2; exit 1; }
[ -f "$root/dist/bin/soar-clearing.js" ] || { echo "deb.sh: dist/ missing: run npm run build first" >&2; exit 1; }

version=$(node -p "require('$root/package.json').version")
debversion=${version//-/\~}   # 1.0.0-rc.1 (semver) sorts before 1.0.0 in Debian as 1.0.0~rc.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The program: exactly what `npm pack` publishes, then its production dependencies.
(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null)
stage=$work/root
lib=$stage/usr/lib/soar-clearing
mkdir -p "$lib"
tar -xzf "$work/soar-clearing-$version.tgz" -C "$lib" --strip-components=1
cp "$root/package-lock.json" "$lib/"
(cd "$lib" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)

# /usr/bin/soar-clearing runs Debian's node (Depends: nodejs), whatever else is on PATH.
mkdir -p "$stage/usr/bin"
cat >"$stage/usr/bin/soar-clearing" <<'SH'
#!/bin/sh
exec /usr/bin/node /usr/lib/soar-clearing/dist/bin/soar-clearing.js "$@"
SH
chmod 0755 "$stage/usr/bin/soar-clearing"

install -D -m 0644 "$root/packaging/soar-clearing.service" "$stage/usr/lib/systemd/system/soar-clearing.service"
install -D -m 0644 "$root/app.config.yaml" "$stage/etc/soar-clearing/app.config.yaml"
install -D -m 0644 "$root/CHANGELOG.md" "$stage/usr/share/doc/soar-clearing/changelog.md"

mkdir -p "$stage/DEBIAN"
install -m 0755 "$root/packaging/deb/postinst" "$root/packaging/deb/prerm" "$root/packaging/deb/postrm" "$stage/DEBIAN/"
# Kept on upgrade when the admin changed it (dpkg asks, or keeps it with --force-confold).
echo /etc/soar-clearing/app.config.yaml >"$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: soar-clearing
Version: $debversion
Architecture: all
Maintainer: soar-clearing maintainers <soar-clearing@localhost>
Depends: nodejs (>= 20), passwd
Section: net
Priority: optional
Installed-Size: $size
Description: Clearing network for IBM SOAR
 A SOAR integration app: a function worker compatible with IBM's resilient-circuits (STOMP, with
 each reply and its acknowledgement in one broker transaction) and a clearing node that shares
 incidents read-only and distributes whitelist-filtered copies between SOAR brands over HTTPS
 with mutual TLS. Runs as the systemd service soar-clearing (user soar-clearing), configured in
 /etc/soar-clearing/app.config.yaml with its secrets in /etc/soar-clearing/env.
CONTROL

deb="$out/soar-clearing_${debversion}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
