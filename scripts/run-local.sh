#!/usr/bin/env bash
# Runs Lifeboat locally with an embedded default set-up, idempotently:
#   - a local PostgreSQL (installed from Debian packages and started if needed) holding Lifeboat's
#     own database "lifeboat" and a demo target database "lifeboat_demo",
#   - filesystem storage in ./data/backups,
#   - the demo target declared as target "demo",
#   - a local admin token, created once in ./data/dev/admin-token and printed below,
#   - an age key pair, created once in ./data/dev/age-key.txt: backups are encrypted to its public key
#     (decrypt by hand with `age -d -i data/dev/age-key.txt`).
# Extra arguments are passed to java (e.g. -Dquarkus.http.port=9090).
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(scripts/pg-setup.sh dev | sed -n 's/^PGPORT=//p')
umask 077
[ -s data/dev/admin-token ] || od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > data/dev/admin-token
mkdir -p data/backups
[ -s data/dev/age-key.txt ] || age-keygen -o data/dev/age-key.txt 2>/dev/null
recipient=$(age-keygen -y data/dev/age-key.txt)
token=$(cat data/dev/admin-token)
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)

echo "[run-local] building Lifeboat (./mvnw package -DskipTests)..." >&2
./mvnw -B -q -DskipTests package

http_port=8080
for a in "$@"; do case "$a" in -Dquarkus.http.port=*) http_port=${a#*=} ;; esac; done
cat >&2 <<MSG

  Lifeboat is starting on http://127.0.0.1:$http_port
    Dashboard:    http://127.0.0.1:$http_port/             (sign in with the token below)
    Swagger UI:   http://127.0.0.1:$http_port/q/swagger-ui   (Authorize with the token below)
    Admin token:  $token
    Try:          curl -s -H "Authorization: Bearer $token" http://127.0.0.1:$http_port/api/v1/targets
  Backups go to ./data/backups, encrypted to the age key in ./data/dev/age-key.txt; stop with Ctrl-C.
  It listens on 127.0.0.1 only (/q/* needs no token); pass -Dquarkus.http.host=0.0.0.0 to open it up.

MSG
# Secrets go through the environment and files, never the command line.
export QUARKUS_DATASOURCE_PASSWORD="$(cat data/dev/db-password)"
export LIFEBOAT_LOCAL_ADMIN_HASH="sha256:$hash"
exec java \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$port/lifeboat" \
  -Dquarkus.datasource.username=lifeboat \
  -Dlifeboat.auth.tokens.local-admin.hash='${LIFEBOAT_LOCAL_ADMIN_HASH}' \
  -Dlifeboat.auth.tokens.local-admin.role=admin \
  -Dlifeboat.storage.local.type=filesystem \
  -Dlifeboat.storage.local.path="$PWD/data/backups" \
  -Dlifeboat.targets.demo.host=127.0.0.1 \
  -Dlifeboat.targets.demo.port="$port" \
  -Dlifeboat.targets.demo.database=lifeboat_demo \
  -Dlifeboat.targets.demo.username=lifeboat \
  -Dlifeboat.targets.demo.password-file="$PWD/data/dev/db-password" \
  -Dlifeboat.targets.demo.storage=local \
  -Dlifeboat.encryption.recipients="$recipient" \
  -Dlifeboat.encryption.identity-file="$PWD/data/dev/age-key.txt" \
  -Dquarkus.http.host=127.0.0.1 \
  "$@" -jar target/quarkus-app/quarkus-run.jar
