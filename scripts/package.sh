#!/usr/bin/env bash
# Builds the Debian package dist/scanmilter_<version>_amd64.deb from a release build with the
# Swift runtime linked statically, so the package needs no Swift toolchain: only Debian's own
# libraries, which dpkg-shlibdeps names in Depends.
#
#   scripts/package.sh              build (release), package, and check it with lintian
#   BIN_DIR=DIR scripts/package.sh  package binaries built elsewhere (must be --static-swift-stdlib)
#
# The version is the one `scanmilter --version` prints (FilterService.version): one number for
# the package, the X-Virus-Scanned header, the metrics and the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf 'package: %s\n' "$*"; }

if [ -z "${BIN_DIR:-}" ]; then
  say "release build with the Swift runtime linked statically"
  for product in scanmilter scanmilterctl; do
    swift build -c release --static-swift-stdlib --product "$product" 2>&1 | grep -E 'error:|warning: .*Sources/|Compiling|Build complete' | grep -v '^\[' || true
  done
  BIN_DIR=$(swift build -c release --static-swift-stdlib --show-bin-path)
fi
for bin in scanmilter scanmilterctl; do
  [ -x "$BIN_DIR/$bin" ] || { echo "package: $BIN_DIR/$bin is missing; the build failed" >&2; exit 1; }
  if ldd "$BIN_DIR/$bin" | grep -q libswiftCore; then
    echo "package: $BIN_DIR/$bin links the Swift runtime dynamically; build with --static-swift-stdlib" >&2
    exit 1
  fi
done
version=$("$BIN_DIR/scanmilter" --version)
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "package: bad version '$version'" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/scanmilter
doc=$pkg/usr/share/doc/scanmilter
install -d "$pkg/DEBIAN" "$pkg/usr/sbin" "$pkg/usr/bin" "$pkg/etc/scanmilter" "$pkg/etc/logrotate.d" \
  "$pkg/lib/systemd/system" "$pkg/usr/lib/sysusers.d" "$pkg/usr/lib/tmpfiles.d" \
  "$pkg/usr/share/man/man8" "$pkg/usr/share/man/man5" "$doc/examples/postfix" "$doc/examples/monitoring" \
  "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" \
  "$pkg/usr/share/fish/vendor_completions.d"

# Binaries, stripped of debugging symbols (Debian policy 10.1).
install -m 0755 "$BIN_DIR/scanmilter" "$pkg/usr/sbin/scanmilter"
install -m 0755 "$BIN_DIR/scanmilterctl" "$pkg/usr/bin/scanmilterctl"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
  "$pkg/usr/sbin/scanmilter" "$pkg/usr/bin/scanmilterctl"

# Configuration (conffiles), units, users and directories.
python3 scripts/package/debian-config.py conf/scanmilter.toml > "$pkg/etc/scanmilter/scanmilter.toml"
chmod 0644 "$pkg/etc/scanmilter/scanmilter.toml"
install -m 0644 scripts/package/scanmilter.logrotate "$pkg/etc/logrotate.d/scanmilter"
install -m 0644 conf/systemd/scanmilter.service conf/systemd/scanmilter-update.service \
  conf/systemd/scanmilter-update.timer "$pkg/lib/systemd/system/"
install -m 0644 scripts/package/scanmilter.sysusers "$pkg/usr/lib/sysusers.d/scanmilter.conf"
install -m 0644 scripts/package/scanmilter.tmpfiles "$pkg/usr/lib/tmpfiles.d/scanmilter.conf"

# Man pages from the argument parser and the configuration reference; completions likewise.
python3 scripts/package/manpage.py command "$pkg/usr/sbin/scanmilter" 8 "$version" | gzip -9n > "$pkg/usr/share/man/man8/scanmilter.8.gz"
python3 scripts/package/manpage.py command "$pkg/usr/bin/scanmilterctl" 8 "$version" | gzip -9n > "$pkg/usr/share/man/man8/scanmilterctl.8.gz"
python3 scripts/package/manpage.py config "$pkg/etc/scanmilter/scanmilter.toml" "$version" | gzip -9n > "$pkg/usr/share/man/man5/scanmilter.toml.5.gz"
for bin in usr/sbin/scanmilter usr/bin/scanmilterctl; do
  name=$(basename "$bin")
  # bash-completion sources these files: no #! line (lintian: bash-completion-with-hashbang).
  "$pkg/$bin" --generate-completion-script bash | sed '1{/^#!/d}' > "$pkg/usr/share/bash-completion/completions/$name"
  "$pkg/$bin" --generate-completion-script zsh > "$pkg/usr/share/zsh/vendor-completions/_$name"
  "$pkg/$bin" --generate-completion-script fish > "$pkg/usr/share/fish/vendor_completions.d/$name.fish"
done

# Documentation: copyright, changelog, README, the Postfix snippets and monitoring examples.
install -m 0644 scripts/package/copyright "$doc/copyright"
gzip -9n < README.md > "$doc/README.md.gz"
install -m 0644 conf/postfix/main.cf conf/postfix/master.cf "$doc/examples/postfix/"
if [ -d conf/monitoring ]; then cp -r conf/monitoring/. "$doc/examples/monitoring/"; else rmdir "$doc/examples/monitoring"; fi
date=$(date -uR -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
{
  printf 'scanmilter (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from commit %s.\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf ' -- scanmilter developers <scanmilter@packages.invalid>  %s\n' "$date"
} | gzip -9n > "$doc/changelog.gz"

# Maintainer scripts and metadata.
install -m 0755 scripts/package/postinst scripts/package/prerm scripts/package/postrm "$pkg/DEBIAN/"
printf '/etc/scanmilter/scanmilter.toml\n/etc/logrotate.d/scanmilter\n' > "$pkg/DEBIAN/conffiles"
# dpkg-shlibdeps wants a debian/control beside it; it reads nothing from it but its presence.
mkdir -p "$work/shlibs/debian"
printf 'Source: scanmilter\n\nPackage: scanmilter\nArchitecture: amd64\n' > "$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$pkg/usr/sbin/scanmilter" "$pkg/usr/bin/scanmilterctl" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package: dpkg-shlibdeps computed no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" scripts/package/control.in > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 0755 {} +

mkdir -p dist
deb=dist/scanmilter_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" > /dev/null
say "built $deb ($(du -h "$deb" | cut -f1)); Depends: $depends"

if [ -z "${SKIP_LINTIAN:-}" ]; then
  if command -v lintian >/dev/null; then
    # Errors fail the build; warnings are printed for the record.
    lintian --tag-display-limit 0 --suppress-tags "$(tr '\n' ',' < scripts/package/lintian-overrides | sed 's/,$//')" "$deb" | tee "$work/lintian.log" || true
    if grep -q '^E: ' "$work/lintian.log"; then
      echo "package: lintian found errors (above)" >&2
      exit 1
    fi
    say "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
  else
    say "lintian not installed; not checked"
  fi
fi
echo "$root/$deb"
