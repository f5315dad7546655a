# Podman as it works on Debian 12 without a Docker engine or a registry: root, the runc
# runtime (crun fails here) and explicit ulimits, set once in a containers.conf that every podman
# call of the container test reads. Source this file; it defines `pm` (podman with that config).

pm_conf_dir=${SCANMILTER_CONTAINER_CONF_DIR:-${TMPDIR:-/tmp}/scanmilter-containers}
mkdir -p "$pm_conf_dir"
cat > "$pm_conf_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF=$pm_conf_dir/containers.conf

pm() { podman --runtime runc "$@"; }

# pm_check: says clearly why podman cannot run here, and fails, instead of pretending.
pm_check() {
  if ! command -v podman >/dev/null 2>&1; then
    echo "container: podman is not installed (scripts/install-deps.sh installs it)" >&2; return 1
  fi
  if ! command -v runc >/dev/null 2>&1; then
    echo "container: runc is not installed (scripts/install-deps.sh installs it)" >&2; return 1
  fi
  local out
  if ! out=$(pm info 2>&1); then
    echo "container: podman cannot run on this machine:" >&2
    echo "$out" | tail -5 >&2
    return 1
  fi
}
