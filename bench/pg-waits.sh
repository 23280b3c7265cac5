#!/usr/bin/env bash
# Samples what the backends of the lifeboat_test database are doing (pg_stat_activity state and wait
# event) every ~10 ms for the given number of seconds, then prints a histogram. Run it next to
# bench/queue.sh to see where PostgreSQL time goes (pg_stat_statements is not preloaded here).
# Usage: bench/pg-waits.sh [seconds=20]
set -euo pipefail
secs=${1:-20}
export PGPASSWORD=${LIFEBOAT_TEST_PGPASSWORD:-lifeboat_test}
psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${LIFEBOAT_TEST_PGPORT:-5432}" -U lifeboat_test -d lifeboat_test <<SQL
CREATE TEMP TABLE s (state text, wait text, query text);
DO \$\$
DECLARE t_end timestamptz := clock_timestamp() + interval '$secs seconds';
BEGIN
  WHILE clock_timestamp() < t_end LOOP
    INSERT INTO s
      SELECT a.state, coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU (no wait)'),
             left(regexp_replace(a.query, '\s+', ' ', 'g'), 60)
      FROM pg_stat_activity a
      WHERE a.datname = 'lifeboat_test' AND a.pid <> pg_backend_pid() AND a.state = 'active'
        AND a.query NOT LIKE 'LISTEN%';
    PERFORM pg_stat_clear_snapshot();
    PERFORM pg_sleep(0.01);
  END LOOP;
END \$\$;
\echo '-- active backends by wait event (samples):'
SELECT count(*) || E'\t' || wait FROM s GROUP BY wait ORDER BY count(*) DESC;
\echo '-- active backends by statement and wait event (top 15):'
SELECT count(*) || E'\t' || wait || E'\t' || query FROM s GROUP BY wait, query ORDER BY count(*) DESC LIMIT 15;
SQL
