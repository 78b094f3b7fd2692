#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suites (issue 17): `start DIR` creates a cluster in
# DIR (initdb, trust authentication, a free port) and prints its base URL on 127.0.0.1;
# `stop DIR` stops it and removes DIR. When this machine has a network address other than
# loopback (and openssl is there), the server also listens there with TLS only, its certificate
# signed by a CA made for the run: DIR/tls-url is then the URL of that remote-looking server, with
# `sslrootcert=DIR/ca.pem`, for the tests of the TLS path. As root (CI), the server runs as the `postgres` user,
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

# From /, which the server's user can always enter (the caller's directory may be private).
as_server() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case $command in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server "$bin/initdb" -D "$dir/data" -U cs --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    # One role, password_probe, must give its password (the tests of a refused password); every
    # other role is trusted.
    sed -i '1i host all password_probe 127.0.0.1/32 scram-sha-256' "$dir/data/pg_hba.conf"
    listen=127.0.0.1
    tls=""
    ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -n 1 || true)
    if [ -n "$ip" ] && command -v openssl >/dev/null; then
        (
            cd "$dir"
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Countersign test CA" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
                -keyout ca.key -out ca.pem
            openssl req -newkey rsa:2048 -nodes -subj "/CN=$ip" -keyout server.key -out server.csr
            printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$ip" >server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
                -extfile server.ext -out server.crt
            chmod 600 server.key
            if [ "$(id -u)" = 0 ]; then chown postgres server.key server.crt; fi
        ) >"$dir/tls.log" 2>&1 || { cat "$dir/tls.log" >&2; exit 1; }
        echo "hostssl all all $ip/32 trust" >>"$dir/data/pg_hba.conf"
        listen="127.0.0.1,$ip"
        tls="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
        echo "postgres://cs@$ip:$port/postgres?sslrootcert=$dir/ca.pem" >"$dir/tls-url"
    fi
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=$listen -c max_connections=200 -c fsync=off $tls" start >/dev/null ||
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
