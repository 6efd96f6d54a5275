#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for tests/test_feedback_postgres.py. Idempotent: installs
# the server if missing, creates (once) and starts a cluster owned by the postgres user, a
# role and a database, then prints the SQLAlchemy URL on stdout (and writes it to the file
# url in the data folder). Use it as:
#   export ASSISTANT_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PTCE_PG_PORT:-55432}"
DATA="${PTCE_PG_DATA:-/var/tmp/ptce-postgres}"
DB=ptce_test USER_NAME=ptce PASSWORD=ptce

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "== installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi; }

if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  as_postgres "$BIN/initdb" -D "$DATA" -A trust -U postgres >&2
fi
if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k /tmp" start >&2
fi
psql_() { as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='$USER_NAME'")" != 1 ]; then
  psql_ -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" != 1 ]; then
  psql_ -c "CREATE DATABASE $DB OWNER $USER_NAME" >&2
fi
URL="postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
echo "$URL" > "$DATA/url"
echo "$URL"
