#!/usr/bin/env bash
# A local Citus cluster for trying logpulse sharded: a coordinator and two workers, each its own
# PostgreSQL 15 cluster (initdb + pg_ctl) under one directory, listening on 127.0.0.1 only with
# trust authentication (a local test setup, not a production one).
#
#   deploy/citus/local-cluster.sh start DIR [COORDINATOR_PORT WORKER1_PORT WORKER2_PORT]
#   deploy/citus/local-cluster.sh stop DIR
#
# start: installs Citus first when PostgreSQL 15 does not have it yet, from CITUS_TARBALL (a path
# or http(s) URL of a binary tarball whose paths are relative to /, e.g. the
# citus-13.2.2-pg15-debian-amd64.tar.gz build; installing needs root). Ports default to
# 5441-5443. CITUS_SHARD_COUNT (default 32, Citus's own default) sets the shards per table;
# LOCAL_CLUSTER_UNSAFE_FAST=1 turns fsync off (throwaway test clusters only). Creates the
# database `logpulse` on every node with the citus extension, registers the workers, and prints
# the coordinator's URL as the last line:
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5441/logpulse
# A gateway started with that URL distributes its tables across the workers by itself.
# stop: stops the three servers and removes DIR.
#
# PostgreSQL refuses to run as root: as root, the servers run as the `postgres` user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB=${CITUS_DATABASE:-logpulse}

die() {
  echo "local-cluster.sh: $*" >&2
  exit 1
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_citus() {
  local libdir
  libdir=$("$PG_BIN/pg_config" --pkglibdir)
  [ -f "$libdir/citus.so" ] && return 0
  [ -n "${CITUS_TARBALL:-}" ] ||
    die "Citus is not installed in $libdir; set CITUS_TARBALL to the path or URL of a Citus build for PostgreSQL 15"
  [ "$(id -u)" -eq 0 ] || die "installing Citus writes under $libdir: run as root (or install it yourself)"
  local tarball=$CITUS_TARBALL tmp=""
  case "$tarball" in
    http://* | https://*)
      tmp=$(mktemp)
      curl -fsSL "$tarball" -o "$tmp" || die "could not download $tarball"
      tarball=$tmp
      ;;
  esac
  [ -f "$tarball" ] || die "CITUS_TARBALL $tarball does not exist"
  (umask 022 && tar -xzf "$tarball" -C / --no-same-owner --no-overwrite-dir) || die "extracting $tarball failed"
  [ -z "$tmp" ] || rm -f "$tmp"
  [ -f "$libdir/citus.so" ] || die "$CITUS_TARBALL did not contain $libdir/citus.so"
  echo "installed Citus from $CITUS_TARBALL" >&2
}

start_node() {
  local dir=$1 port=$2
  as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir.initdb.log" 2>&1 ||
    die "initdb $dir failed: $(tail -5 "$dir.initdb.log")"
  cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$(dirname "$dir")'
shared_preload_libraries = 'citus'
max_connections = 200
max_prepared_transactions = 100
# Keep the coordinator's connections to the workers open between transactions: an ingest batch
# writes to several shards in parallel, and reconnecting for each batch cost about 40 % of ingest here.
citus.max_cached_conns_per_worker = 8
EOF
  # Throwaway clusters (tests) may skip durability; a benchmark wants it as in production.
  if [ "${LOCAL_CLUSTER_UNSAFE_FAST:-0}" = 1 ]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$dir/postgresql.conf"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t 60 start >/dev/null || die "node on port $port did not start: $(tail -5 "$dir.log")"
}

psql_at() {
  local port=$1 db=$2
  shift 2
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

cmd=${1:-}
root=${2:-}
[ -n "$root" ] || die "usage: $0 start|stop DIR [COORDINATOR_PORT WORKER1_PORT WORKER2_PORT]"

case "$cmd" in
  start)
    ports=("${3:-5441}" "${4:-5442}" "${5:-5443}")
    install_citus
    mkdir -p "$root"
    [ "$(id -u)" -ne 0 ] || chown postgres "$root"
    names=(coordinator worker1 worker2)
    for i in 0 1 2; do start_node "$root/${names[$i]}" "${ports[$i]}"; done
    for port in "${ports[@]}"; do
      psql_at "$port" postgres -c "CREATE DATABASE $DB"
      psql_at "$port" "$DB" -c 'CREATE EXTENSION citus'
    done
    psql_at "${ports[0]}" "$DB" -o /dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]});
SELECT citus_add_node('127.0.0.1', ${ports[1]});
SELECT citus_add_node('127.0.0.1', ${ports[2]});
ALTER DATABASE $DB SET citus.shard_count = ${CITUS_SHARD_COUNT:-32};
SQL
    echo "DATABASE_URL=postgresql://postgres@127.0.0.1:${ports[0]}/$DB"
    ;;
  stop)
    for node in coordinator worker1 worker2; do
      [ -f "$root/$node/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$root/$node" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf "$root"
    ;;
  *) die "unknown command '$cmd' (start or stop)" ;;
esac
