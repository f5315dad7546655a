#!/usr/bin/env bash
# Installs the packages only the benchmarks need (scripts/bench.sh calls it), so CI, which runs
# scripts/install-deps.sh, does not carry them. Idempotent; Debian 12.
set -euo pipefail

packages=(
  clamav-milter     # the reference: Debian's clamav-milter in front of clamd
  clamav-daemon     # clamd, for clamav-milter and scanmilter's clamd backend
  python3-milter    # pymilter: the Python reference filter for the Milter-layer comparison
  libmilter-dev     # the minimal C libmilter reference filter (scripts/bench/cfilter.c)
  gcc               # builds that C filter
  postfix           # smtp-source, and the private instance for the TCP-stall measurement
  tcpdump           # captures on lo when chasing the TCP stall (TCP_STALL_TRACE=1)
  strace            # the same, syscalls with timestamps
  heaptrack         # who holds the C heap at the memory peak (README, Performance: Memory)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "install-bench-deps: all ${#packages[@]} packages present"; exit 0; }

echo "install-bench-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
# clamav-milter's postinst would configure and start a service: there is no systemd here, and the
# bench runs its own instance from a temp dir, so a failing service start is harmless.
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
