#!/usr/bin/env bash
# Installs every system package scanmilter needs to build, test and run on Debian 12.
# Idempotent: packages already present are skipped, so CI and the README can call it every time.
# This is the only file that names Debian packages; CI, the README and docker/ call it.
set -euo pipefail

packages=(
  # build: the C libraries the wrapper modules link
  libmilter-dev          # Milter: libmilter (smfi_*)
  libclamav-dev          # ClamAV: libclamav and libfreshclam
  libmagic-dev           # FileMagic: libmagic
  libmagic-mgc           # FileMagic: the compiled magic database
  pkg-config
  libsqlite3-dev         # Quarantine: the SQLite index (GRDB over the system SQLite)
  libpq-dev              # QuarantinePostgres: libpq, the shared store's client (CPostgres)
  # tests and tools
  clamav                 # clamscan, sigtool: reference scans and database checks in tests
  clamav-daemon          # clamd: the clamd-pool backend's tests run real clamd processes
  python3                # the MIME reference comparison (Python's email package) and helpers
  libgmime-3.0-dev       # the MIME benchmark's reference parser (a small C program of ours)
  zip                    # test fixtures: archives carrying EICAR (ZipCrypto with -P)
  p7zip-full             # test fixtures: AES-256 zips (7z a -tzip -mem=AES256) and 7z AES archives
  clamav-testfiles       # scanning tests: ClamAV's own samples that trip the heuristics (macros, broken PE, ...)
  msitools               # test fixtures: msibuild writes a real Windows Installer package (type rules)
  openssl                # fixtures: the S/MIME parts of the mislabelling corpus (scripts/types)
  gnupg                  # fixtures: the PGP parts of the mislabelling corpus (scripts/types)
  netcat-openbsd
  sqlite3                # quarantine tests edit the index by hand, as an administrator would
  postgresql             # the shared store's tests: a private cluster per run (scripts/lib/postgres-cluster.sh), never the system one
  # end-to-end tests with a real MTA
  postfix                # the MTA in scripts/e2e (a private instance on loopback, not /etc/postfix)
  swaks                  # sends single test messages and shows every SMTP reply
  libarchive-dev         # names inside archives (zip, 7z, rar, tar, gz) for the banned-name rules
  prometheus             # promtool checks conf/monitoring's rules and the live /metrics (scripts/e2e/monitoring.sh)
  # the web console's end-to-end test (scripts/e2e/web.sh)
  apache2-utils          # htpasswd -B writes the console's users file, as an administrator would
  chromium               # a real browser, headless, driven by Selenium (PyPI, in a venv)
  chromium-driver        # chromedriver for Selenium
  wrk                    # scripts/bench/web.sh: list page and API load at 4 connections
  # the Debian package (scripts/package.sh) and its install test (scripts/e2e/package.sh)
  lintian                # Debian policy checks on the built .deb
  dpkg-dev               # dpkg-shlibdeps computes the package's Depends
  # the container test (scripts/e2e/container.sh): no Docker engine here, podman with runc, and
  # a Debian base image made with debootstrap because no registry is reachable
  podman
  buildah
  runc
  debootstrap
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Postfix must not configure or start a system mail server: tests run their own instance.
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's clamav packages start freshclam and clamd services where an init system runs them;
# our tests start their own instances on loopback, so the packaged ones are not needed.
