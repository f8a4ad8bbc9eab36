#!/usr/bin/env bash
# Makes sure a local PostgreSQL serves the database of the multi-node tests:
#   Host=127.0.0.1;Port=5432;Database=platform_test;Username=platform;Password=platform
# Installs Debian's `postgresql` when missing, starts the cluster on port 5432 when it is not running
# (pg_ctlcluster: works with or without systemd), creates the role and the database when missing and
# checks a password login over TCP. Idempotent; prints a line only when it changes something.
# scripts/test.sh runs it (after its own apt step has installed the package); it can also run alone.
set -euo pipefail

PG_PORT=5432
PG_USER=platform
PG_PASSWORD=platform
PG_DATABASE=platform_test

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "postgres: $*"; }
fail() {
  echo "postgres: $*" >&2
  exit 1
}

# psql as the postgres superuser over the local socket (peer auth), from / so it never complains
# that it cannot enter the caller's directory.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres "$@")
  fi
}

# The newest installed server version (15 on Debian 12), from the binaries Debian installs per version.
installed_version() {
  local dir
  for dir in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$dir" ] || continue
    dir=${dir#/usr/lib/postgresql/}
    echo "${dir%%/*}"
  done | sort -n | tail -n 1
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(installed_version)" ]; then
  say "installing postgresql"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# login works already: nothing to do (the second run of the test command takes this path).
can_login() {
  PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=3 psql -X -q -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" \
    -d "$PG_DATABASE" -tAc 'select 1' >/dev/null 2>&1
}

# The cluster on our port: "version name status" from pg_lsclusters, else one is created.
cluster=$(pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port && !seen { print $1, $2, $4; seen = 1 }')
if [ -z "$cluster" ]; then
  version=$(installed_version)
  [ -n "$version" ] || fail "no PostgreSQL server binaries under /usr/lib/postgresql"
  if pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    fail "cluster $version/main exists but does not use port $PG_PORT (see pg_lsclusters)"
  fi
  say "creating cluster $version/main on port $PG_PORT"
  $SUDO pg_createcluster -p "$PG_PORT" "$version" main >/dev/null
  cluster="$version main down"
fi
read -r version name status <<<"$cluster"

if [ "$status" != "online" ]; then
  say "starting cluster $version/$name"
  $SUDO pg_ctlcluster "$version" "$name" start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" ||
  fail "cluster $version/$name does not accept connections on 127.0.0.1:$PG_PORT; log: /var/log/postgresql/postgresql-$version-$name.log"

can_login && exit 0

say "creating role $PG_USER and database $PG_DATABASE"
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $PG_DATABASE OWNER $PG_USER'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
ALTER DATABASE $PG_DATABASE OWNER TO $PG_USER;
SQL

can_login && exit 0

# Debian's pg_hba.conf has `host all all 127.0.0.1/32 scram-sha-256`; one that does not let the role
# in by password from loopback gets a line for it in front of the others.
hba=$(as_postgres psql -X -p "$PG_PORT" -d postgres -tAc 'SHOW hba_file')
say "allowing $PG_USER to $PG_DATABASE from 127.0.0.1 by password in $hba"
$SUDO sed -i "1i host $PG_DATABASE $PG_USER 127.0.0.1/32 scram-sha-256" "$hba"
$SUDO pg_ctlcluster "$version" "$name" reload
can_login || fail "cannot log in as $PG_USER to $PG_DATABASE on 127.0.0.1:$PG_PORT with the password"
