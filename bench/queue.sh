#!/usr/bin/env bash
# The queue benchmark (see bench/README.md): throughput of no-op jobs with two worker pools and
# NOTIFY pickup latency, against the local PostgreSQL test database.
# Extra arguments go to Maven, e.g.
#   bench/queue.sh -Dbench.concurrency=4,8 -Dbench.jobs=30000 -Dbench.rounds=1 -Dbench.profile=true
# The last line printed is the one-line summary (also in target/bench/queue.txt; the full report is in
# target/bench/queue-report.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
export LIFEBOAT_TEST_PGPORT="$port"
rm -f target/bench/queue.txt target/bench/queue-report.txt
# -Dtest selects the benchmark although its name is outside surefire's default includes, and
# -Dsurefire.failIfNoSpecifiedTests=false keeps surefire from failing should the pattern match nothing.
# lifeboat.queue.enabled=false turns off the application's own worker pool (Maven passes -D user
# properties on to the test JVM), so exactly the benchmark's two pools listen and claim, as two
# replicas would; pass -Dlifeboat.queue.enabled=true to keep it running as a third pool.
./mvnw -B -q test -Dtest=QueueBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dlifeboat.queue.enabled=false "$@"
echo
cat target/bench/queue.txt
