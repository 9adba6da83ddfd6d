#!/bin/sh
# Starts PostgreSQL 15 in the foreground as the image's user: initialises the data folder on first start (the superuser
# "postgres" with POSTGRES_PASSWORD, password logins over TCP from anywhere, local socket logins trusted), then
# replaces itself with the server so SIGTERM reaches it (a "smart" shutdown: sessions finish, then it stops).
set -eu
PGDATA=${PGDATA:-/var/lib/cauchy-postgresql/data}
bin=/usr/lib/postgresql/15/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set to initialise the database}"
  umask 077
  printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/.pgpass-init
  "$bin/initdb" -D "$PGDATA" -U postgres --pwfile=/tmp/.pgpass-init -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >/tmp/initdb.log
  : >/tmp/.pgpass-init  # emptied, not removed: the image has no coreutils
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
