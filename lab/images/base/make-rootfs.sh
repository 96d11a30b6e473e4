#!/bin/sh
# Builds the lab's base root filesystem: Debian bookworm minbase from the
# host's own mirror (no image registry is reachable), trimmed like the
# official debian:bookworm-slim image.
# Usage: make-rootfs.sh ROOTFS MIRROR SOURCES_LIST_FILE
set -eu
rootfs=$1 mirror=$2 sources=$3

debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.debootstrap.log" 2>&1 \
  || { tail -n 20 "$rootfs.debootstrap.log" >&2; exit 1; }

# The same suites the host installs from (updates, security), so packages in
# the images match the host's versions.
cp "$sources" "$rootfs/etc/apt/sources.list"

# Package scripts must not try to start services during image builds.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"

# Keep later installs as small as the trim below.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
cat >"$rootfs/etc/apt/apt.conf.d/docker-slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
CFG

find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/locale/"* \
  "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/cache/apt/archives/"*.deb \
  "$rootfs/var/log/"*.log "$rootfs/var/log/apt/"* "$rootfs.debootstrap.log"
