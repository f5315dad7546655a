#!/usr/bin/env bash
# End-to-end for the Debian package (scripts/package.sh): installed with apt into a fresh Debian
# 12 root that has never seen a Swift toolchain (debootstrap minbase, the container test's base),
# with its dependencies resolved from Debian's archive. Checks what an administrator sees:
# the binaries run, the user and directories exist, man pages and completions are found, the
# units pass systemd-analyze verify, the installed daemon starts on the installed configuration
# and tells systemd READY=1 only once its milter socket answers, and `remove` then `purge` leave
# what Debian policy says.
# Needs dist/scanmilter_*_amd64.deb (scripts/test.sh builds it first with scripts/package.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

deb=${SCANMILTER_DEB:-$(ls -t dist/scanmilter_*_amd64.deb 2>/dev/null | head -1 || true)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "package: no dist/scanmilter_*_amd64.deb; run scripts/package.sh first" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

work=$(mktemp -d /tmp/scanmilter-package-e2e.XXXXXX)
chroot_dir=$work/root
mounted=()
daemon=""
listener=""
cleanup() {
  # A daemon or listener a failed check left running must not outlive the test.
  for pid in $daemon $listener; do kill -9 "$pid" 2>/dev/null || true; done
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
  if [ -n "${KEEP_E2E:-}" ]; then echo "package: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2" | head -20; fi; return 0; }
in_root() { chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

echo "package: a fresh Debian 12 root"
tarball=$(scripts/container/base-image.sh --tarball)
mkdir -p "$chroot_dir"
tar -C "$chroot_dir" -xf "$tarball"
chmod 0755 "$chroot_dir"  # the tarball's top folder came from mktemp (0700)
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$chroot_dir/proc" && mounted+=("$chroot_dir/proc")
if in_root sh -c 'command -v swift swiftc' > /dev/null 2>&1; then
  fail "the test root has a Swift toolchain; it must not"
else pass "the root has no Swift toolchain"; fi

echo "package: apt install $(basename "$deb")"
cp "$deb" "$chroot_dir/tmp/"
# systemd, man-db and bash-completion are what an administrator's system has (the package needs
# none of them); installed first, so the package's postinst meets them as on a real host.
if ! in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      systemd man-db bash-completion" > "$work/base.log" 2>&1; then
  fail "could not install systemd, man-db and bash-completion in the test root" "$(tail -5 "$work/base.log")"
  echo "package: $passed passed, $failed failed"; exit 1
fi
if in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" \
    > "$work/install.log" 2>&1; then
  pass "apt installs it, dependencies from Debian's archive"
else
  fail "apt install failed" "$(tail -15 "$work/install.log")"
  echo "package: $passed passed, $failed failed"; exit 1
fi
grep -q 'smtpd_milters = inet:127.0.0.1:8890' "$work/install.log" \
  && pass "postinst prints the lines for Postfix's main.cf" || fail "postinst did not print the Postfix lines" "$(tail -15 "$work/install.log")"
[ ! -e "$chroot_dir/etc/postfix/main.cf" ] || ! grep -q scanmilter "$chroot_dir/etc/postfix/main.cf" \
  && pass "Postfix's configuration is left alone" || fail "postinst changed /etc/postfix/main.cf"

version=$(in_root scanmilter --version 2>&1) && [ -n "$version" ] \
  && pass "scanmilter --version: $version" || fail "scanmilter does not run in the fresh root" "$version"
ctl_version=$(in_root scanmilterctl --version 2>&1) && [ "$ctl_version" = "$version" ] \
  && pass "scanmilterctl --version is the same number" || fail "scanmilterctl --version" "$ctl_version"
grep -q "Version: $version\$" <(in_root dpkg-query -s scanmilter) \
  && pass "the package version is the binaries' version" || fail "package version differs from $version"
missing=$(in_root sh -c 'ldd /usr/sbin/scanmilter /usr/bin/scanmilterctl | grep "not found"' || true)
[ -z "$missing" ] && pass "every shared library resolves (Depends is complete)" || fail "missing libraries" "$missing"

user=$(in_root getent passwd scanmilter || true)
[ -n "$user" ] && grep -q ':/usr/sbin/nologin$' <<< "$user" && pass "system user scanmilter, no login shell" || fail "user scanmilter" "$user"
for dir in /var/lib/scanmilter/db /var/lib/scanmilter/quarantine; do
  owner=$(in_root stat -c %U "$dir" 2>&1 || true)
  [ "$owner" = scanmilter ] && pass "$dir owned by scanmilter" || fail "$dir" "$owner"
done
in_root dpkg-query --control-show scanmilter conffiles 2>/dev/null | grep -q '^/etc/scanmilter/scanmilter.toml$' \
  && pass "/etc/scanmilter/scanmilter.toml is a conffile" || fail "scanmilter.toml is not a conffile"

for page in scanmilter scanmilterctl scanmilter.toml; do
  where=$(in_root man -w "$page" 2>&1 || true)
  [[ "$where" == /usr/share/man/* ]] && pass "man -w $page: $where" || fail "man -w $page" "$where"
done
out=$(in_root man -P cat scanmilter.toml 2>/dev/null | grep -c 'max_message_size' || true)
[ "${out:-0}" -gt 0 ] && pass "scanmilter.toml(5) documents the keys" || fail "scanmilter.toml(5) lacks max_message_size"
out=$(in_root bash -c 'source /usr/share/bash-completion/bash_completion; source /usr/share/bash-completion/completions/scanmilterctl && complete -p scanmilterctl' 2>&1 || true)
grep -q 'complete .* scanmilterctl' <<< "$out" && pass "bash completion loads" || fail "bash completion" "$out"
for f in /usr/share/zsh/vendor-completions/_scanmilterctl /usr/share/fish/vendor_completions.d/scanmilterctl.fish \
         /usr/share/doc/scanmilter/examples/postfix/main.cf /usr/lib/sysusers.d/scanmilter.conf \
         /usr/lib/tmpfiles.d/scanmilter.conf /etc/logrotate.d/scanmilter; do
  [ -s "$chroot_dir$f" ] && pass "$f" || fail "$f is missing"
done

if out=$(in_root sh -c 'systemd-analyze verify /lib/systemd/system/scanmilter*' 2>&1) && ! grep -qi 'scanmilter' <<< "$out"; then
  pass "systemd-analyze verify: the units are clean"
else fail "systemd-analyze verify" "$out"; fi

echo "package: the installed daemon"
# The installed configuration with a milter socket, signatures and a log of its own; the rest
# as installed (Debian paths).
cat > "$chroot_dir/tmp/e2e.ndb" <<NDB
Scanmilter.E2E.EICAR:0:*:$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')
NDB
install -o "$(in_root id -u scanmilter)" -m 0644 "$chroot_dir/tmp/e2e.ndb" "$chroot_dir/var/lib/scanmilter/db/e2e.ndb"
mkdir -p "$chroot_dir/run/scanmilter" && chown "$(in_root id -u scanmilter)" "$chroot_dir/run/scanmilter"
out=$(in_root runuser -u scanmilter -- scanmilter --check --config /etc/scanmilter/scanmilter.toml 2>&1) \
  && pass "the installed configuration checks: $(tail -1 <<< "$out")" || fail "scanmilter --check on the installed configuration" "$out"
# systemd's side of Type=notify: READY=1 must come, and only once the milter socket answers.
python3 scripts/e2e/lib/notify-listener.py "$chroot_dir/run/scanmilter/notify.sock" \
  "$chroot_dir/run/scanmilter/milter.sock" 60 > "$work/notify.log" 2>&1 &
listener=$!
for _ in $(seq 1 50); do grep -q listening "$work/notify.log" && break; sleep 0.1; done
# chroot --userspec execs the daemon itself (runuser would stay as its parent and, on SIGTERM,
# SIGKILL it after 2 s, before libmilter's listener, which looks every 5 s, has stopped).
chroot --userspec=scanmilter:scanmilter "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  SCANMILTER_MILTER_SOCKET=unix:/run/scanmilter/milter.sock NOTIFY_SOCKET=/run/scanmilter/notify.sock \
  scanmilter --config /etc/scanmilter/scanmilter.toml > "$work/daemon.log" 2>&1 &
daemon=$!
wait "$listener" && pass "sd_notify: $(tail -1 "$work/notify.log")" \
  || fail "sd_notify: no READY=1, or the milter did not answer when it came" "$(cat "$work/notify.log"; tail -5 "$work/daemon.log")"
ready=""
for _ in $(seq 1 200); do
  if in_root scanmilterctl health --config /etc/scanmilter/scanmilter.toml --socket unix:/run/scanmilter/milter.sock > /dev/null 2>&1; then ready=1; break; fi
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] && pass "scanmilter runs as user scanmilter and scanmilterctl health passes" \
  || fail "the installed daemon did not become healthy" "$(tail -5 "$work/daemon.log")"
# SIGTERM to scanmilter itself, as systemd sends it ($daemon is the daemon: chroot execs it).
kill -TERM "$daemon" 2>/dev/null || true
wait "$daemon" 2>/dev/null && pass "SIGTERM: a clean stop (exit 0)" || fail "the daemon did not stop cleanly" "$(tail -5 "$work/daemon.log")"

echo "package: remove, then purge"
echo "# an administrator's edit" >> "$chroot_dir/etc/scanmilter/scanmilter.toml"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq scanmilter' > "$work/remove.log" 2>&1 \
  || fail "apt-get remove failed" "$(tail -5 "$work/remove.log")"
[ ! -e "$chroot_dir/usr/sbin/scanmilter" ] && [ -d "$chroot_dir/var/lib/scanmilter/quarantine" ] \
  && [ -f "$chroot_dir/var/lib/scanmilter/db/e2e.ndb" ] && grep -q "administrator's edit" "$chroot_dir/etc/scanmilter/scanmilter.toml" \
  && pass "remove: programs gone; signatures, quarantine and the edited configuration kept" \
  || fail "remove left the wrong things" "$(ls -la "$chroot_dir/var/lib/scanmilter" "$chroot_dir/etc/scanmilter" 2>&1)"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq scanmilter' > "$work/purge.log" 2>&1 \
  || fail "apt-get purge failed" "$(tail -5 "$work/purge.log")"
[ ! -e "$chroot_dir/var/lib/scanmilter" ] && [ ! -e "$chroot_dir/etc/scanmilter" ] \
  && pass "purge: state and configuration removed" || fail "purge left state" "$(ls -la "$chroot_dir/var/lib/scanmilter" "$chroot_dir/etc/scanmilter" 2>&1)"

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
