# Sourced by the e2e scripts: `e2e_workdir NAME` makes a temporary folder ($work), keeps the
# pids of background processes the script starts (append to $pids) and, on exit, kills and reaps
# them and removes the folder (KEEP_E2E=1 keeps it). `free_port` prints a free loopback TCP port.
e2e_workdir() {
  e2e_name=$1
  work=$(mktemp -d "/tmp/scanmilter-$e2e_name-e2e.XXXXXX")
  pids=()
  trap e2e_cleanup EXIT
}

e2e_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_E2E:-}" ] && echo "e2e $e2e_name: kept $work" || rm -rf "$work"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
