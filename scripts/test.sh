#!/usr/bin/env bash
# Runs Lifeboat's whole test suite on this machine: prepares a local PostgreSQL (installing it from
# Debian packages if needed) with the lifeboat_test database, installs headless Chromium for the
# dashboard's browser test if missing, then runs ./mvnw verify.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dtest=JobQueueTest
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
# DashboardBrowserTest drives the system's headless Chromium: install it only when missing (no download at test time).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  echo "installing chromium and chromium-driver (Debian packages) for the dashboard's browser test" >&2
  "${SUDO[@]}" apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
    || { "${SUDO[@]}" apt-get update -q >/dev/null && "${SUDO[@]}" apt-get install -y -q chromium chromium-driver >/dev/null; }
fi
export LIFEBOAT_TEST_PGPORT="$port"
exec ./mvnw -B verify "$@"
