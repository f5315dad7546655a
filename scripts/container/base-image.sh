#!/usr/bin/env bash
# Makes the local Debian 12 base image localhost/bookworm-min that the container test builds on,
# because no registry is reachable here: debootstrap --variant=minbase from the configured Debian
# mirror, imported with podman. Reuses the image if podman has it, else a cached tarball
# ($SCANMILTER_CACHE, default ~/.cache/scanmilter), else bootstraps (about a minute) and caches.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/container/podman-env.sh

image=${BASE_IMAGE:-localhost/bookworm-min}
cache=${SCANMILTER_CACHE:-$HOME/.cache/scanmilter}
tarball=$cache/bookworm-min.tar

if pm image exists "$image"; then
  echo "base-image: $image present"
  exit 0
fi
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  mirror=$(sed -nE 's/^URIs: *(http[^ ]*debian)$/\1/p; s/^deb +(http[^ ]*debian) +bookworm .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /tmp/scanmilter-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "base-image: debootstrap bookworm from $mirror (about a minute)"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1; then
    echo "base-image: debootstrap failed; the end of its log ($cache/debootstrap.log):" >&2
    tail -15 "$cache/debootstrap.log" >&2
    exit 1
  fi
  # The image's own apt should use the same mirror as the host.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
fi
echo "base-image: importing $tarball as $image"
pm import "$tarball" "$image" > /dev/null
