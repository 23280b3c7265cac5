#!/usr/bin/env bash
# Runs Lifeboat's whole test suite on this machine: prepares a local PostgreSQL (installing it from
# Debian packages if needed) with the lifeboat_test database, then runs ./mvnw verify.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dtest=JobQueueTest
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
export LIFEBOAT_TEST_PGPORT="$port"
exec ./mvnw -B verify "$@"
