#!/usr/bin/env bash
# Makes the local Debian 12 base that the container and package tests build on, because no
# registry is reachable here: debootstrap --variant=minbase from the configured Debian mirror,
# kept as a tarball ($SCANMILTER_CACHE, default ~/.cache/scanmilter/bookworm-base.tar; about a
# minute the first time). Its apt sources are a Debian 12 system's: bookworm, -updates, -security.
#
#   base-image.sh            import the tarball as the podman image localhost/bookworm-base
#                            (reused if podman has it)
#   base-image.sh --tarball  only make sure the tarball exists, and print its path (for a chroot)
set -euo pipefail
cd "$(dirname "$0")/../.."

image=${BASE_IMAGE:-localhost/bookworm-base}
cache=${SCANMILTER_CACHE:-$HOME/.cache/scanmilter}
tarball=$cache/bookworm-base.tar

make_tarball() {
  [ -s "$tarball" ] && return 0
  mkdir -p "$cache"
  local mirror
  mirror=$(sed -nE 's/^URIs: *(http[^ ]*debian)$/\1/p; s/^deb +(http[^ ]*debian) +bookworm .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  # Global, not local: the EXIT trap runs after this function has returned.
  rootfs=$(mktemp -d /tmp/scanmilter-rootfs.XXXXXX)
  trap 'rm -rf "${rootfs:-}"' EXIT
  echo "base-image: debootstrap bookworm from $mirror (about a minute)" >&2
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1; then
    echo "base-image: debootstrap failed; the end of its log ($cache/debootstrap.log):" >&2
    tail -15 "$cache/debootstrap.log" >&2
    exit 1
  fi
  # The sources a Debian 12 system (and debian:12-slim) has, on the host's mirror: ClamAV's
  # current version reaches bookworm through bookworm-updates.
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$mirror" "$mirror" "${mirror%/debian}/debian-security" > "$rootfs/etc/apt/sources.list"
  chmod 0755 "$rootfs"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
}

if [ "${1:-}" = "--tarball" ]; then
  make_tarball
  echo "$tarball"
  exit 0
fi

source scripts/container/podman-env.sh
if pm image exists "$image"; then
  echo "base-image: $image present"
  exit 0
fi
make_tarball
echo "base-image: importing $tarball as $image"
pm import "$tarball" "$image" > /dev/null
