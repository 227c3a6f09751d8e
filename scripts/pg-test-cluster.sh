#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (and benchmarks), in a temporary folder.
#   scripts/pg-test-cluster.sh start STATE_FILE [--durable]  -> writes the cluster's URI to STATE_FILE
#   scripts/pg-test-cluster.sh stop STATE_FILE               -> stops it and removes the folder
#   scripts/pg-test-cluster.sh halt|resume STATE_FILE        -> crash-stops it / starts it again
#                                                              (same port, same data: outage tests)
# initdb refuses root, so as root the cluster belongs to the `postgres` user (Debian's package
# creates it). It listens on 127.0.0.1 on a free port and on a unix socket in its folder. Without
# --durable, fsync is off: the tests kill dixian processes, not the machine.
set -euo pipefail
cmd=${1:?start|stop}
state=${2:?state file}
bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    dir=$(mktemp -d /tmp/dixian-pg.XXXXXX)
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U dixian -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    settings="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300"
    settings+=" -c shared_buffers=64MB -c max_wal_size=1GB"
    if [[ "${3:-}" != "--durable" ]]; then
      settings+=" -c fsync=off -c full_page_writes=off"
    fi
    echo "$settings" >"$dir/settings"
    as_owner "$bin/pg_ctl" -D "$dir/data" -o "$settings" -l "$dir/server.log" -w -t 60 start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://dixian@127.0.0.1:$port/postgres" >"$state"
    echo "$dir" >"$state.dir"
    echo "[dixian] PostgreSQL test cluster on 127.0.0.1:$port ($dir)"
    ;;
  stop)
    [[ -f "$state.dir" ]] || exit 0
    dir=$(cat "$state.dir")
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$state" "$state.dir"
    ;;
  halt)
    dir=$(cat "$state.dir")
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    dir=$(cat "$state.dir")
    as_owner "$bin/pg_ctl" -D "$dir/data" -o "$(cat "$dir/settings")" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  *) echo "usage: $0 start|stop|halt|resume STATE_FILE" >&2; exit 2 ;;
esac
