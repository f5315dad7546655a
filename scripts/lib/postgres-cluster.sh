#!/usr/bin/env bash
# A private PostgreSQL 15 cluster on 127.0.0.1 for tests and benchmarks: initdb in a directory of
# its own, SCRAM password authentication, a free port; the system's cluster is never touched.
# Used by the Swift tests (Tests/QuarantinePostgresTests/Support) and scripts/e2e, so both run
# the same server the same way.
#
#   postgres-cluster.sh start DIR [OWNER_PID]  # create and start; prints the env file's path.
#                                              # With OWNER_PID, a watcher stops and removes
#                                              # the cluster once that process is gone.
#   postgres-cluster.sh stop DIR               # stop (keeps the data: start again with restart)
#   postgres-cluster.sh restart DIR            # start a stopped cluster again on its port
#   postgres-cluster.sh destroy DIR            # stop and remove DIR
#   postgres-cluster.sh createdb DIR NAME      # a database owned by the test role
#
# DIR/cluster.env then holds PG_PORT, PG_URI (the test role, database "quarantine", no password
# in it), PG_PASSWORD_FILE, PG_ADMIN_URI (the superuser, trust over the unix socket in DIR).
# As root every server command runs as the postgres user (initdb refuses root).
set -euo pipefail

# Close every descriptor inherited beyond 0-2 (bash keeps its script on 255): the server and
# the watcher live on after this script, and a caller that waits for its child's descriptors
# to close (Foundation's Process does) must not wait for them.
for fd in /proc/$$/fd/*; do
  n=${fd##*/}
  if [ "$n" -gt 2 ] && [ "$n" -lt 255 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
done

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
command=${1:?usage: postgres-cluster.sh start|stop|restart|destroy|createdb DIR}
dir=${2:?usage: postgres-cluster.sh $command DIR}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/postgres.log" -w -t 30 \
    -o "-p $PG_PORT -k $dir/run -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
}

psql_admin() {
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  as_postgres /usr/bin/psql -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$PG_PORT" -U postgres -d postgres "$@"
}

case $command in
  start)
    owner=${3:-}
    mkdir -p "$dir/run" "$dir/data"
    chmod 755 "$dir"          # the postgres user must traverse it
    chmod 700 "$dir/data"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    umask 077
    printf '%s\n' "$password" > "$dir/password"
    printf 'admin-%s\n' "$password" > "$dir/admin-password"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/run" "$dir/data" "$dir/admin-password"; fi
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --pwfile="$dir/admin-password" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    cat > "$dir/cluster.env" <<ENV
PG_PORT=$port
PG_URI=postgresql://scanmilter@127.0.0.1:$port/quarantine
PG_PASSWORD_FILE=$dir/password
PG_ADMIN_URI=postgresql://postgres@127.0.0.1:$port/postgres
ENV
    chmod 644 "$dir/cluster.env"
    pg_start
    psql_admin -c "CREATE ROLE scanmilter LOGIN PASSWORD '$password'" -c "CREATE DATABASE quarantine OWNER scanmilter"
    if [ -n "$owner" ]; then
      # Detached: ends when the owner does, so a killed test run leaves no server behind.
      setsid bash -c 'while kill -0 "$2" 2>/dev/null; do sleep 1; done; "$0" destroy "$1"' "$0" "$dir" "$owner" </dev/null >/dev/null 2>&1 &
    fi
    echo "$dir/cluster.env"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  restart)
    pg_start
    ;;
  destroy)
    if [ -d "$dir/data" ]; then as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  createdb)
    name=${3:?usage: postgres-cluster.sh createdb DIR NAME}
    psql_admin -c "CREATE DATABASE \"$name\" OWNER scanmilter"
    ;;
  *)
    echo "postgres-cluster.sh: unknown command $command" >&2
    exit 64
    ;;
esac
