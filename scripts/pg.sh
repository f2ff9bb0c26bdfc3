#!/usr/bin/env bash
# TEST-ONLY: trust authentication, fsync=off, full_page_writes=off — never a real database (docs/deploy.md step 4).
# Start (or stop) a throw-away PostgreSQL on loopback for tests and benchmarks.
#   scripts/pg.sh start  -> prints the DATABASE_URL on stdout
#   scripts/pg.sh stop
# Uses Debian's postgresql packages (installed by `make deps` when absent).
set -euo pipefail
PGPORT="${WIJKMONITOR_PGPORT:-54329}"
PGDIR="${WIJKMONITOR_PGDIR:-/tmp/wijkmonitor-pg-$PGPORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  start)
    if [ ! -s "$PGDIR/PG_VERSION" ]; then
      mkdir -p "$PGDIR"; [ "$(id -u)" = "0" ] && chown postgres:postgres "$PGDIR"
      as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    fi
    for db in wijkmonitor_test; do
      as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
        || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"
    done
    echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/wijkmonitor_test"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  restart)
    as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast -w restart >/dev/null
    ;;
  *) echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
