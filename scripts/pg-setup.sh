#!/usr/bin/env bash
# Makes a local PostgreSQL ready for Lifeboat, idempotently:
#   1. installs PostgreSQL from Debian packages if it is absent, and the age encryption tool
#      (backups are age files; the tests check that the standard age CLI reads them), and s3cmd,
#      jq and zstd (docs/runbook.md recovers with them; RunbookTest follows it),
#   2. creates a cluster if none exists and starts it if it is stopped (pg_ctlcluster),
#   3. creates the roles and databases for the requested purposes:
#        test  role lifeboat_test (superuser, password lifeboat_test) and database lifeboat_test
#        dev   role lifeboat (random password kept in data/dev/db-password), database lifeboat
#              (Lifeboat's own) and lifeboat_demo (a small pgbench database, the demo target)
# Prints "PGPORT=<port>" of the cluster it used as its last line.
# Usage: scripts/pg-setup.sh test|dev [...]
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[pg-setup] %s\n' "$*" >&2; }
if [ "$(id -u)" = 0 ]; then
  SUDO=(); as_postgres() { runuser -u postgres -- "$@"; }
else
  SUDO=(sudo); as_postgres() { sudo -u postgres -- "$@"; }
fi
unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE

server_installed() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null; }
if ! server_installed; then
  log "PostgreSQL is not installed: installing it from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q >/dev/null
  "${SUDO[@]}" apt-get install -y -q postgresql postgresql-client postgresql-contrib >/dev/null
fi
for tool in pgbench psql pg_dump; do
  command -v "$tool" >/dev/null || { "${SUDO[@]}" apt-get install -y -q postgresql-client >/dev/null; break; }
done
if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  log "installing age from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: update only when the first try fails.
  "${SUDO[@]}" apt-get install -y -q age >/dev/null 2>&1 \
    || { "${SUDO[@]}" apt-get update -q >/dev/null && "${SUDO[@]}" apt-get install -y -q age >/dev/null; }
fi
# s3cmd and jq: the recovery runbook (docs/runbook.md) fetches backups with them, and RunbookTest follows it;
# zstd: the runbook decompresses backups with the standard CLI, and the tests check that it reads them.
# openssl: TlsTest makes a certificate authority and a server certificate for a PostgreSQL of its own.
for tool in s3cmd jq zstd openssl; do
  if ! command -v "$tool" >/dev/null; then
    log "installing $tool from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get install -y -q "$tool" >/dev/null 2>&1 \
      || { "${SUDO[@]}" apt-get update -q >/dev/null && "${SUDO[@]}" apt-get install -y -q "$tool" >/dev/null; }
  fi
done
# xz: the version tests unpack PostgreSQL servers of other majors (.txz from Maven Central).
if ! command -v xz >/dev/null; then
  log "installing xz-utils from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get install -y -q xz-utils >/dev/null 2>&1 \
    || { "${SUDO[@]}" apt-get update -q >/dev/null && "${SUDO[@]}" apt-get install -y -q xz-utils >/dev/null; }
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v' | grep -q .; then
  log "creating PostgreSQL $version cluster 'main'"
  "${SUDO[@]}" pg_createcluster "$version" main >/dev/null
fi
read -r ver cluster port status _ < <(pg_lsclusters -h | awk -v v="$version" '$1 == v' | head -1)
if [ "$status" != online ]; then
  log "starting PostgreSQL $ver/$cluster on port $port"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" start
fi
for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "PostgreSQL on 127.0.0.1:$port does not answer"; exit 1; }

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }
ensure_role() { # name password attributes
  # The password goes through stdin, never onto an argument list.
  psql_admin -v name="$1" <<SQL >/dev/null
\\set pw '$2'
SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN $3 PASSWORD %L', :'name', :'pw') \gexec
SQL
}
ensure_db() { # name owner
  psql_admin -v name="$1" -v owner="$2" <<'SQL' >/dev/null
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'owner') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
SQL
}

for purpose in "$@"; do
  case "$purpose" in
    test)
      ensure_role lifeboat_test lifeboat_test SUPERUSER
      ensure_db lifeboat_test lifeboat_test
      log "test database lifeboat_test ready (role lifeboat_test)"
      ;;
    dev)
      mkdir -p data/dev && chmod 700 data/dev
      [ -s data/dev/db-password ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > data/dev/db-password)
      ensure_role lifeboat "$(cat data/dev/db-password)" "CREATEDB"
      ensure_db lifeboat lifeboat
      if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'lifeboat_demo'" | grep -q 1; then
        ensure_db lifeboat_demo lifeboat
        PGPASSWORD="$(cat data/dev/db-password)" pgbench -q -i -s 1 -h 127.0.0.1 -p "$port" -U lifeboat lifeboat_demo >/dev/null 2>&1
        log "demo target database lifeboat_demo created (pgbench scale 1)"
      fi
      log "dev databases lifeboat and lifeboat_demo ready (role lifeboat)"
      ;;
    *) log "unknown purpose '$purpose' (use test or dev)"; exit 2 ;;
  esac
done
echo "PGPORT=$port"
