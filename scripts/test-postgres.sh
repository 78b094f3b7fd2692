#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suites (issue 17): `start DIR` creates a cluster in
# DIR (initdb, trust authentication, loopback only, a free port) and prints its base URL;
# `stop DIR` stops it and removes DIR. As root (CI), the server runs as the `postgres` user,
# because initdb refuses root (DIR's parent must let it in: /tmp does). Never for real data: trust authentication lets anyone on this
# machine in.
set -euo pipefail

command=${1:?usage: test-postgres.sh start|stop DIR}
dir=${2:?usage: test-postgres.sh start|stop DIR}

bin=""
for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bin=$candidate
done
[ -n "$bin" ] || bin=$(dirname "$(command -v initdb)")

as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $command in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server "$bin/initdb" -D "$dir/data" -U cs --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://cs@127.0.0.1:$port/postgres"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: test-postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
