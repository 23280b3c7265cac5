#!/usr/bin/env bash
# How many single-row UPDATE transactions per second this PostgreSQL commits, with and without a
# pg_notify in the transaction (pgbench, prepared statements, 1/4/16 clients, 8 s each). A transaction
# that notifies takes a cluster-wide lock at commit and keeps it through its WAL flush, so notifying
# commits cannot share an fsync (no group commit). JobQueue.complete notifies once per job, so this
# is the ceiling of the current completion path. Uses a scratch table bench_probe in lifeboat_test.
# The third column shows what synchronous_commit=off (for the notifying transaction) would buy.
# Usage: bench/notify-ceiling.sh [seconds=8]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
port=$(scripts/pg-setup.sh test 2>/dev/null | sed -n 's/^PGPORT=//p')
export PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=${LIFEBOAT_TEST_PGPASSWORD:-lifeboat_test} PGHOST=127.0.0.1 PGPORT=$port PGUSER=lifeboat_test
tmp=$(mktemp -d)
trap 'psql -X -q -d lifeboat_test -c "DROP TABLE IF EXISTS bench_probe" >/dev/null; rm -rf "$tmp"' EXIT
psql -X -q -d lifeboat_test -c "DROP TABLE IF EXISTS bench_probe" -c "CREATE TABLE bench_probe (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)" \
  -c "INSERT INTO bench_probe SELECT g FROM generate_series(1, 10000) g" >/dev/null
cat > "$tmp/plain.sql" <<'SQL'
\set id random(1, 10000)
UPDATE bench_probe SET n = n + 1 WHERE id = :id;
SQL
# The same shape as JobQueue.finishRunning: UPDATE ... RETURNING, then pg_notify per updated row.
cat > "$tmp/notify.sql" <<'SQL'
\set id random(1, 10000)
WITH d AS (UPDATE bench_probe SET n = n + 1 WHERE id = :id RETURNING id)
SELECT count(pg_notify('bench_probe', 'finished ' || id)) FROM d;
SQL
printf '%-8s %12s %12s %28s\n' clients 'tps plain' 'tps notify' 'tps notify, sync_commit=off'
for c in 1 4 16; do
  plain=$(pgbench -n -M prepared -c "$c" -j 2 -T "$secs" -f "$tmp/plain.sql" lifeboat_test 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  notify=$(pgbench -n -M prepared -c "$c" -j 2 -T "$secs" -f "$tmp/notify.sql" lifeboat_test 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  # With synchronous_commit=off the commit does not wait for the WAL flush, so the lock is held briefly.
  async=$(PGOPTIONS="$PGOPTIONS -c synchronous_commit=off" pgbench -n -M prepared -c "$c" -j 2 -T "$secs" -f "$tmp/notify.sql" lifeboat_test 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  printf '%-8s %12.0f %12.0f %28.0f\n' "$c" "$plain" "$notify" "$async"
done
