#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and CI (Debian's `postgresql` package; no service, no systemd).
#
#   eval "$(bash scripts/pg-test-server.sh start)"   # prints `export DATABASE_URL=…` and `export PGTEST_DIR=…`
#   bash scripts/pg-test-server.sh stop               # stops it and deletes its data directory
#   bash scripts/pg-test-server.sh status
#
# Options (flags or environment):
#   --port N  / PGTEST_PORT   TCP port on 127.0.0.1 (default 54329)
#   --dir D   / PGTEST_DIR    cluster directory (default ${TMPDIR:-/tmp}/keepsake-pg-<port>); must be
#                             reachable by the `postgres` OS user when run as root
#   --db NAME / PGTEST_DB     database created for the app (default keepsake_test)
#   PG_BINDIR                 directory with initdb/pg_ctl (default: PATH, else newest /usr/lib/postgresql/*/bin)
#   --keep                    (stop) keep the data directory
#
# Auth is `trust` on 127.0.0.1 only, superuser `postgres`, durability off (fsync etc.): tests only.
# initdb/postgres refuse to run as root, so as root the server runs as the `postgres` OS user
# (created by the Debian package; created here if missing). Only stdout carries the exports;
# progress goes to stderr.
set -euo pipefail

cmd="${1:-}"
[ $# -gt 0 ] && shift
PORT="${PGTEST_PORT:-54329}"
DIR="${PGTEST_DIR:-}"
DB="${PGTEST_DB:-keepsake_test}"
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --db) DB="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "pg-test-server: unknown option $1" >&2; exit 2 ;;
  esac
done
DIR="${DIR:-${TMPDIR:-/tmp}/keepsake-pg-${PORT}}"
DATA="$DIR/data"
SOCK="$DIR/socket"
LOG="$DIR/postgres.log"
URL="postgresql://postgres@127.0.0.1:${PORT}/${DB}"

log() { echo "pg-test-server: $*" >&2; }

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  local p
  # pg_ctl on PATH may be a lone symlink (e.g. /usr/local/bin/pg_ctl): use the directory it resolves to,
  # which also holds initdb, postgres, pg_isready and psql.
  if p="$(command -v pg_ctl 2>/dev/null)"; then
    p="$(dirname "$(readlink -f "$p")")"
    if [ -x "$p/initdb" ] && [ -x "$p/pg_isready" ] && [ -x "$p/psql" ]; then echo "$p"; return; fi
  fi
  # Debian keeps the server binaries off PATH, one directory per major version: take the newest.
  p="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n | tail -n 1 || true)"
  if [ -n "$p" ] && [ -x "$p/pg_ctl" ]; then echo "$p"; return; fi
  log "no PostgreSQL server binaries found (apt-get install -y postgresql, or set PG_BINDIR)"
  exit 1
}

# Run a command as the cluster's OS user: ourselves, or `postgres` when we are root.
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  if command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

ensure_pg_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id postgres >/dev/null 2>&1; then
    log "creating OS user postgres"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  fi
}

psql_admin() {
  "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"
}

is_running() {
  [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  ensure_pg_user
  mkdir -p "$DIR" "$SOCK"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR" "$SOCK"; chmod 755 "$DIR"; fi

  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb $DATA ($("$BIN/postgres" --version))"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 || {
      cat "$DIR/initdb.log" >&2; exit 1; }
  fi

  if is_running; then
    log "already running in $DATA"
  else
    log "starting on 127.0.0.1:$PORT"
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >&2; then
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
  fi

  # pg_ctl -w waits for the socket; also wait until it accepts TCP connections as postgres.
  local i
  for i in $(seq 1 60); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; then break; fi
    [ "$i" -eq 60 ] && { log "server did not become ready"; tail -n 30 "$LOG" >&2; exit 1; }
    sleep 0.5
  done

  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE \"$DB\""
  fi
  log "ready: $URL"
  echo "export DATABASE_URL=$URL"
  echo "export PGTEST_DIR=$DIR"
  echo "export PGTEST_PORT=$PORT"
  if [ -n "${GITHUB_ENV:-}" ]; then
    { echo "DATABASE_URL=$URL"; echo "PGTEST_DIR=$DIR"; echo "PGTEST_PORT=$PORT"; } >>"$GITHUB_ENV"
  fi
}

stop() {
  if is_running; then
    log "stopping $DATA"
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    log "not running ($DATA)"
  fi
  if [ "$KEEP" -eq 0 ] && [ -d "$DIR" ]; then rm -rf "$DIR"; fi
}

BIN="$(find_bindir)"
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running: $URL"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status [--port N] [--dir D] [--db NAME] [--keep]" >&2; exit 2 ;;
esac
