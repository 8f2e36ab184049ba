#!/usr/bin/env bash
# A local PostgreSQL server for the read model, from Debian's packages
# (postgresql: /usr/lib/postgresql/*/bin) or whatever pg_ctl is on PATH.
#
#   scripts/postgres.sh start   # prints the connection URL (export it)
#   scripts/postgres.sh url     # the URL of the running server
#   scripts/postgres.sh stop
#
# The cluster lives in $QC_PG_DIR (default ./data-postgres), listens on
# 127.0.0.1:$QC_PG_PORT (default 55432) with trust authentication for the
# user qc, and holds a database qingchain. Run as root, the server runs as
# the postgres user (PostgreSQL refuses to run as root).
set -euo pipefail

dir=${QC_PG_DIR:-$PWD/data-postgres}
port=${QC_PG_PORT:-55432}
url="postgres://qc@127.0.0.1:$port/qingchain?sslmode=disable"

bin=""
if command -v pg_ctl >/dev/null; then
  bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/pg_ctl" ]; then bin=$d; break; fi
  done
fi
[ -n "$bin" ] || { echo "postgres.sh: no pg_ctl (apt-get install postgresql)" >&2; exit 1; }

as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "postgres.sh: running as root and there is no postgres user" >&2; exit 1; }
  as=(runuser -u postgres --)
fi
run() { "${as[@]}" "$@"; }

case "${1:-}" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  cd "$dir" # the server's user may not enter the caller's directory
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    run env LC_ALL=C "$bin/initdb" -D "$dir/data" -U qc -A trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! run "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
  fi
  run "$bin/psql" -h 127.0.0.1 -p "$port" -U qc -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'qingchain'" | grep -q 1 ||
    run "$bin/createdb" -h 127.0.0.1 -p "$port" -U qc qingchain
  echo "$url"
  ;;
url) echo "$url" ;;
stop)
  if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd); cd "$dir"; fi
  if [ -f "$dir/data/PG_VERSION" ]; then run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
  ;;
*)
  echo "usage: scripts/postgres.sh start|url|stop" >&2
  exit 2
  ;;
esac
