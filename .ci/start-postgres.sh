#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the serve tests: Debian's server binaries, a data
# directory in a temp dir, listening on 127.0.0.1 only, on a free port, trust auth for local TCP.
# Prints two lines: the connection URL, then the pg_ctl command that stops it.
# As root the cluster runs as the `postgres` user the Debian package creates (PostgreSQL refuses root).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/codegenie-pg-XXXXXX")
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U codegenie --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# fsync stays on: the durability tests kill -9 the service, not the server, but we keep the
# server's own guarantees as they are in production.
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

echo "postgres://codegenie@127.0.0.1:$port/postgres"
echo "${as_owner[*]} $bin/pg_ctl -D $dir/data -m fast stop && rm -rf $dir"
