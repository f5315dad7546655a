#!/usr/bin/env bash
# End-to-end for the container image (docker/): the entrypoint script on the host with the real
# binaries, the compose file, then the image's runtime stage built here with podman from a local
# Debian 12 base (debootstrap; no registry is reachable) and the binaries the tests just built,
# started beside a private Postfix (scripts/lib/postfix-instance.sh) that uses it as its milter on
# a published loopback port. Mail is sent: EICAR rejected, clean delivered, a banned attachment
# quarantined into the quarantine volume, health passing, metrics counting.
# Needs the debug build (scripts/test.sh builds it first) and scripts/install-deps.sh's packages.
# If podman cannot run here, it says why and fails: it never reports a pass it did not see.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh
source scripts/container/podman-env.sh

bindir=${SCANMILTER_BIN_DIR:-$root/.build/debug}
for tool in scanmilter scanmilterctl; do
  [ -x "$bindir/$tool" ] || { echo "container: $bindir/$tool is not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/scanmilter-container.XXXXXX)
chmod 755 "$work"
tag=scanmilter-e2e-$$
image=localhost/scanmilter-test:latest
container=""
volumes=()
cleanup() {
  if [ -n "$container" ]; then
    [ "${KEEP_E2E:-}" = "" ] || pm logs "$container" > "$work/container.log" 2>&1 || true
    pm rm -f "$container" > /dev/null 2>&1 || true
  fi
  for volume in "${volumes[@]}"; do pm volume rm -f "$volume" > /dev/null 2>&1 || true; done
  pf_teardown
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "container: kept $work"; fi
}
trap cleanup EXIT

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
eicar_ndb() { printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')"; }

echo "container: the entrypoint script (host, real binaries)"
ep=$work/entrypoint
mkdir -p "$ep/db"
cat > "$ep/scanmilter.toml" <<CONF
[milter]
socket = "unix:$ep/milter.sock"
control_socket = ""
[scan]
database_dir = "$ep/db"
temp_dir = "$ep"
[update]
databases = ["main"]
private_mirror = ["http://127.0.0.1:9"]
[log]
target = "$ep/scanmilter.log"
CONF
run_entrypoint() {  # run_entrypoint [VAR=value ...] -- ARGS: prints output, returns the exit code
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env SCANMILTER_BIN="$bindir" SCANMILTER_CONFIG="$ep/scanmilter.toml" "${vars[@]}" sh docker/entrypoint.sh "$@" 2>&1
}
set +e
out=$(run_entrypoint -- --check); code=$?
set -e
if [ "$code" = 75 ] && grep -q 'NO SIGNATURES' <<< "$out" && grep -q 'SCANMILTER_DEMO_DATABASE=1' <<< "$out"; then
  pass "no signatures and no mirror: clear message, exit 75"
else fail "no signatures: expected exit 75 with a clear message" "exit $code: $(tail -3 <<< "$out")"; fi
sigs=$(find "$ep/db" -maxdepth 1 -type f \( -name '*.cvd' -o -name '*.cld' -o -name '*.ndb' -o -name '*.hdb' \))
[ -z "$sigs" ] && pass "no demo or other signatures were made up" || fail "signature files appeared" "$sigs"

set +e
out=$(run_entrypoint SCANMILTER_DEMO_DATABASE=1 -- --check); code=$?
set -e
if [ "$code" = 0 ] && [ -s "$ep/db/scanmilter-demo.ndb" ] && grep -q 'DEMO' <<< "$out"; then
  pass "SCANMILTER_DEMO_DATABASE=1: starts on the demo database, saying so"
else fail "demo database start" "exit $code: $(tail -3 <<< "$out")"; fi

# First start with a reachable mirror: a private one serving ClamAV's signed test database.
rm -f "$ep/db/scanmilter-demo.ndb"
cvd_dir=$("$root/scripts/test-cvd/fetch.sh" || true)  # the cache, SCANMILTER_TEST_CVD_DIR, or a download
if [ -f "$cvd_dir/test-3.cvd" ]; then
  mkdir -p "$ep/mirror"; cp "$cvd_dir/test-3.cvd" "$ep/mirror/test.cvd"
  mirror_port=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$ep/mirror" "$mirror_port" > "$ep/mirror.log" 2>&1 &
  mirror_pid=$!
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$mirror_port") 2>/dev/null && break; sleep 0.1; done
  set +e
  out=$(run_entrypoint SCANMILTER_UPDATE_DATABASES=test SCANMILTER_UPDATE_PRIVATE_MIRROR="http://127.0.0.1:$mirror_port" -- --check); code=$?
  set -e
  kill "$mirror_pid" 2>/dev/null || true; wait "$mirror_pid" 2>/dev/null || true
  if [ "$code" = 0 ] && [ -f "$ep/db/test.cvd" ] && grep -q 'signatures installed' <<< "$out"; then
    pass "first start without signatures: scanmilterctl update fetched them, scanmilter runs"
  else fail "first start with a mirror" "exit $code: $(tail -5 <<< "$out")"; fi
  rm -rf "$ep/db" && mkdir -p "$ep/db"
else
  fail "ClamAV's test databases not found (scripts/test-cvd/fetch.sh said why above)"
fi

eicar_ndb > "$ep/db/e2e.ndb"
set +e
out=$(run_entrypoint -- --check); code=$?
set -e
if [ "$code" = 0 ] && ! grep -q 'running scanmilterctl update' <<< "$out"; then
  pass "signatures present: no update, scanmilter runs"
else fail "with signatures the entrypoint should exec scanmilter" "exit $code: $(tail -3 <<< "$out")"; fi

set +e
out=$(env SCANMILTER_BIN="$bindir" SCANMILTER_CONFIG="$ep/missing.toml" sh docker/entrypoint.sh 2>&1); code=$?
set -e
[ "$code" = 78 ] && grep -q 'cannot read the configuration' <<< "$out" && pass "missing configuration: exit 78, named" \
  || fail "missing configuration" "exit $code: $out"

echo "container: compose file"
if out=$(python3 scripts/container/check-compose.py docker/compose.yaml 2>&1); then
  pass "docker/compose.yaml parses and names only paths that exist"
else fail "docker/compose.yaml" "$out"; fi

echo "container: podman"
if ! pm_check; then
  fail "podman cannot run here (see above); the image was NOT tested"
  echo "container: $passed passed, $failed failed"
  exit 1
fi
scripts/container/base-image.sh

# Build context: docker/ plus the Debian package the tests just built (scripts/package.sh), which
# the image installs with apt exactly as a host would.
deb=${SCANMILTER_DEB:-$(ls -t dist/scanmilter_*_amd64.deb 2>/dev/null | head -1 || true)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  fail "no dist/scanmilter_*_amd64.deb to install in the image (scripts/package.sh makes it)"
  echo "container: $passed passed, $failed failed"
  exit 1
fi
ctx=$work/context
mkdir -p "$ctx/docker" "$ctx/dist"
cp docker/Dockerfile docker/entrypoint.sh docker/scanmilter.toml "$ctx/docker/"
cp "$deb" "$ctx/dist/"
echo "container: building $image from $(basename "$deb") (base localhost/bookworm-base)"
if pm build --format docker --build-arg PACKAGE_FROM=package-prebuilt --build-arg RUNTIME_BASE=localhost/bookworm-base \
    -f "$ctx/docker/Dockerfile" -t "$image" "$ctx" > "$work/build.log" 2>&1; then
  pass "image built from docker/Dockerfile: the Debian package installed with apt"
else
  tail -20 "$work/build.log"
  fail "image build failed"
  echo "container: $passed passed, $failed failed"
  exit 1
fi

# compose.yaml's Postfix image: Debian's Postfix with the shipped conf/postfix snippets applied.
pctx=$work/postfix-context
mkdir -p "$pctx/conf" "$pctx/docker/postfix"
cp -r conf/postfix "$pctx/conf/"; cp docker/postfix/Dockerfile "$pctx/docker/postfix/"
if pm build --build-arg RUNTIME_BASE=localhost/bookworm-base -f "$pctx/docker/postfix/Dockerfile" \
    -t localhost/scanmilter-postfix-test:latest "$pctx" > "$work/postfix-build.log" 2>&1; then
  settings=$(pm run --rm localhost/scanmilter-postfix-test:latest sh -c 'postconf -h smtpd_milters milter_default_action; postconf -M 10026/inet' 2>&1)
  if grep -q '^inet:scanmilter:8890$' <<< "$settings" && grep -q '^tempfail$' <<< "$settings" && grep -q 'smtpd_milters=' <<< "$settings"; then
    pass "compose's Postfix image builds with the shipped snippets (milter, tempfail, release relay)"
  else fail "compose's Postfix image settings" "$settings"; fi
else
  fail "compose's Postfix image does not build" "$(tail -5 "$work/postfix-build.log")"
fi

milter_port=$(free_port); metrics_port=$(free_port); smtp_port=$(free_port); sink_port=$(free_port)
db_volume=$tag-db; quarantine_volume=$tag-quarantine
pm volume create "$db_volume" > /dev/null; volumes+=("$db_volume")
pm volume create "$quarantine_volume" > /dev/null; volumes+=("$quarantine_volume")
# Our generated signature in the signature volume, as `scanmilterctl update` would leave one.
eicar_ndb > "$(pm volume inspect -f '{{.Mountpoint}}' "$db_volume")/e2e.ndb"
container=$tag
pm run -d --name "$container" \
  -p "127.0.0.1:$milter_port:8890" -p "127.0.0.1:$metrics_port:9465" \
  -v "$db_volume:/var/lib/scanmilter/db" -v "$quarantine_volume:/var/lib/scanmilter/quarantine" \
  -e SCANMILTER_ACTIONS_BANNED=quarantine -e SCANMILTER_QUARANTINE_RELEASE_RELAY=127.0.0.1:10026 \
  "$image" > /dev/null 2> "$work/run.log"
# (podman also tries to register the HEALTHCHECK as a systemd timer; there is no systemd here,
# so it complains in run.log. `podman healthcheck run` below runs the check itself.)
ready=""
for _ in $(seq 1 300); do
  if pm logs "$container" 2>&1 | grep -q 'scanmilter ready'; then ready=1; break; fi
  [ "$(pm inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ] || break
  sleep 0.1
done
if [ -n "$ready" ]; then pass "container started: scanmilter ready"; else
  fail "container did not become ready" "$(pm logs "$container" 2>&1 | tail -10)"
  echo "container: $passed passed, $failed failed"; exit 1
fi
uid=$(pm exec "$container" id -u)
[ "$uid" != 0 ] && pass "runs as a non-root user (uid $uid)" || fail "runs as root"

if out=$(pm healthcheck run "$container" 2>&1); then pass "HEALTHCHECK (scanmilterctl health) passes: ${out:-healthy}"
else fail "HEALTHCHECK failed" "$out $(pm exec "$container" scanmilterctl health --config /etc/scanmilter/scanmilter.toml 2>&1)"; fi
if out=$("$bindir/scanmilterctl" health --config /dev/null --socket "inet:$milter_port@127.0.0.1" --control-socket "" 2>&1); then
  fail "health without a control socket should not pass" "$out"
else
  # The milter check runs first: reaching the control-socket complaint means it negotiated.
  grep -q "no \[milter\] control_socket" <<< "$out" \
    && pass "the published milter port negotiates from the host" || fail "host-side milter check" "$out"
fi

echo "container: mail through Postfix"
pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port"
mkdir -p "$work/msgs"; python3 scripts/e2e/lib/make_messages.py "$work/msgs" > /dev/null
send() {
  local name=$1 id=$2 file="$work/send-$2.eml"
  { printf 'X-E2E-Id: %s\r\n' "$id"; cat "$work/msgs/$name.eml"; } > "$file"
  swaks --server "127.0.0.1:$smtp_port" --from alice@example.org --to bob@example.net \
    --data "$file" --timeout 60 2>&1 | { grep -E '^<(-|\*\*) +[0-9]{3}' || true; } | tail -2 | head -1 | sed -E 's/^<(-|\*\*) +//' || true
}
delivered() {
  local f
  for _ in $(seq 1 100); do
    f=$(grep -l "X-E2E-Id: $1" "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
    [ -n "$f" ] && { echo "$f"; return 0; }
    pf_flush; sleep 0.1
  done
  return 1
}
reply=$(send clean c1)
[[ "$reply" =~ ^250\  ]] && pass "clean mail accepted: $reply" || fail "clean mail" "reply '$reply'"
if f=$(delivered c1); then
  grep -q '^X-Virus-Status: Clean' "$f" && pass "clean mail delivered with X-Virus-Status: Clean" || fail "clean mail headers" "$(grep -i '^x-virus' "$f")"
else fail "clean mail was not delivered"; fi
reply=$(send eicar-base64 v1)
[[ "$reply" =~ ^550\ 5\.7\.1\ .*Scanmilter\.E2E\.EICAR ]] && pass "EICAR rejected: $reply" || fail "EICAR" "reply '$reply'"
reply=$(send exe-as-pdf q1)
[[ "$reply" =~ ^250\  ]] && pass "banned attachment (action quarantine): the client sees 250" || fail "quarantine reply" "'$reply'"
sleep 1; pf_flush; sleep 0.5
grep -l "X-E2E-Id: q1" "$pf_dir"/sink/msg.* > /dev/null 2>&1 && fail "quarantined message was delivered" || pass "quarantined message not delivered"
qdir=$(pm volume inspect -f '{{.Mountpoint}}' "$quarantine_volume")
if grep -rlq "X-E2E-Id: q1" "$qdir" 2>/dev/null; then pass "the quarantine volume holds the message"
else fail "the message is not in the quarantine volume" "$(find "$qdir" -type f | head)"; fi
listing=$(pm exec "$container" scanmilterctl quarantine list --config /etc/scanmilter/scanmilter.toml 2>&1 || true)
grep -q 'quarantine' <<< "$listing" && grep -Eq 'banned|type' <<< "$listing" \
  && pass "scanmilterctl quarantine list in the container shows it" || fail "quarantine list" "$listing"

metrics=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$metrics_port/metrics', timeout=5).read().decode())" 2>&1 || true)
if grep -q '^scanmilter_messages_total{verdict="infected"} 1$' <<< "$metrics" && grep -q '^scanmilter_actions_total{action="quarantine"} 1$' <<< "$metrics" \
  && grep -Eq '^scanmilter_quarantine_entries\{status="[a-z_]+"\} 1$' <<< "$metrics"; then
  pass "metrics on the published port count the messages and the quarantine"
else fail "metrics" "$(grep -E '^scanmilter_(messages|actions|quarantine)' <<< "$metrics" | head -8)"; fi

pm stop -t 20 "$container" > /dev/null 2>&1 || true
code=$(pm inspect -f '{{.State.ExitCode}}' "$container" 2>/dev/null || echo "?")
[ "$code" = 0 ] && pass "docker stop (SIGTERM): scanmilter exits 0" || fail "exit code after stop: $code" "$(pm logs "$container" 2>&1 | tail -5)"

echo "container: $passed passed, $failed failed"
[ "$failed" = 0 ]
