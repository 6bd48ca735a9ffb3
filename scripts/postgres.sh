#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests, reachable only by its Unix socket.
#
#   scripts/postgres.sh start DIR   create the cluster in DIR if needed, start it, print its URL
#   scripts/postgres.sh stop DIR    stop it (fast shutdown)
#   scripts/postgres.sh url DIR     print the DATABASE_URL of the cluster in DIR
#
# DIR holds the data (DIR/data), the socket and the log (DIR/postgres.log). The server listens
# on no TCP port, so any number of clusters run side by side without clashing. PostgreSQL
# refuses to run as root: as root, the cluster belongs to the "postgres" OS user, so DIR must
# be somewhere that user can reach (not under /root).
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bindir() {
  local candidate
  if command -v pg_config >/dev/null 2>&1; then
    candidate=$(pg_config --bindir)
    [ -x "$candidate/initdb" ] && { echo "$candidate"; return; }
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$candidate/initdb" ] && { echo "$candidate"; return; }
  done
  return 1
}

ensure_installed() {
  find_bindir >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "postgres.sh: installing PostgreSQL with apt-get" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  find_bindir >/dev/null || die "PostgreSQL server binaries not found; install the 'postgresql' package"
}

# Run a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  echo "postgresql://loyalty@/loyalty?host=$1"
}

start() {
  local dir=$1 bindir
  ensure_installed
  bindir=$(find_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    as_owner test -w "$dir" || die "the postgres user cannot write $dir; choose a folder outside /root"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U loyalty --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=${POSTGRES_FSYNC:-on} \
          -c max_connections=${POSTGRES_MAX_CONNECTIONS:-200}" >/dev/null \
      || { tail -n 20 "$dir/postgres.log" >&2; die "the server did not start"; }
  fi
  if ! as_owner "$bindir/psql" -h "$dir" -U loyalty -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'loyalty'" | grep -q 1; then
    as_owner "$bindir/createdb" -h "$dir" -U loyalty loyalty
  fi
  url "$dir"
}

stop() {
  local dir=$1 bindir
  bindir=$(find_bindir) || return 0
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

[ $# -eq 2 ] || die "usage: $0 start|stop|url DIR"
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  url) url "$2" ;;
  *) die "unknown command $1" ;;
esac
