#!/usr/bin/env bash
# Chaos soak (issue #9; documented, not part of CI): 3 Lifeboat replicas sharing one Lifeboat database,
# S3Proxy as the S3 endpoint, 3 targets (one with a Mastodon-like schema). For --duration seconds a
# driver submits a steady mix of jobs through the REST API (backups, drills, verifies, new-database
# restores, replace restores of a throwaway target with pre/post restore hooks, prunes) while a chaos
# loop kill -9s a random replica every 20-40 s and restarts it, freezes S3Proxy (SIGSTOP, SIGCONT) for
# 10-20 s a few times, and cuts replica 3 off Lifeboat's database once (its JDBC connections run
# through a TCP relay, bench/chaos/relay.py). Then it waits for the queue to drain, for leases to expire
# and for the maintenance pass, and checks the end state. The LAST line printed is the summary; it is
# also written to target/bench/chaos.txt. Exits 1 if a check found a violation. See bench/README.md,
# "Chaos soak".
#
# Usage: bench/chaos.sh [--duration 600] [--jar path] [--xmx 256m] [--workers 3] [--lease 10s]
#                       [--sweep 20s] [--kill-every 20-40] [--freezes 3] [--freeze-secs 10-20]
#                       [--cut-secs 45] [--per-target 2] [--seed N] [--keep]
#   --duration     seconds of driver and chaos (default 600); the drain and the checks come after
#   --jar          the Lifeboat build to run (default target/quarkus-app/quarkus-run.jar; this script
#                  never builds: run ./mvnw package -DskipTests first)
#   --xmx          each replica's -Xmx
#   --workers      lifeboat.queue.workers of each replica
#   --lease        lifeboat.queue.lease (whole seconds, "10s")
#   --sweep        lifeboat.drill.sweep-interval: the scratch sweeper and fence pass ("20s")
#   --kill-every   seconds between two kill -9s, MIN-MAX
#   --freezes      how many times S3Proxy is frozen; --freeze-secs how long each time, MIN-MAX
#   --cut-secs     how long the relay keeps replica 3 off Lifeboat's database
#   --per-target   jobs the driver keeps queued or running per target
#   --seed         seed of the run's random choices (default: the clock); printed
#   --keep         keep the new-database restores chaos_r_* (dropped after the checks otherwise)
#
# Everything it makes lives in target/bench-chaos/ (keys, S3Proxy's files, each replica run's log, the
# event and submission records, the receiver's log) and in the local PostgreSQL: the databases
# chaos_lifeboat (Lifeboat's own), chaos_masto, chaos_shop, chaos_throwaway (the targets),
# chaos_throwaway_before_* (kept by replace restores), chaos_r_* (new-database restores), chaos_verify
# (the check's own restore) and the role chaos_target (the targets' role: LOGIN CREATEDB, not a
# superuser). A run first drops every chaos_* database and the scratch databases chaos_target owns, so
# an earlier run's leftovers never count. It stops what it started on exit. The set-up it shares with
# the other benchmarks is in bench/lib.sh.
set -euo pipefail
shopt -s lastpipe              # `... | verdict name` sets V[name] in this shell
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=600 XMX=256m WORKERS=3 LEASE=10s SWEEP=20s KILL_EVERY=20-40 FREEZES=3 FREEZE_SECS=10-20 CUT_SECS=45
PER_TARGET=2 SEED=$((EPOCHSECONDS % 32768)) KEEP=0 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --duration|--jar|--xmx|--workers|--lease|--sweep|--kill-every|--freezes|--freeze-secs|--cut-secs|--per-target|--seed)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
      opt=${1#--}; opt=${opt//-/_}; printf -v "${opt^^}" %s "$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for o in DURATION WORKERS FREEZES CUT_SECS PER_TARGET SEED; do
  o2=${o,,}; [[ ${!o} =~ ^[0-9]+$ ]] || { echo "bad --${o2//_/-} '${!o}'" >&2; exit 2; }
done
range() { # option value -> RANGE_MIN RANGE_MAX
  if ! [[ $2 =~ ^([0-9]+)-([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
    echo "bad $1 '$2' (MIN-MAX)" >&2; exit 2
  fi
  RANGE_MIN=${BASH_REMATCH[1]} RANGE_MAX=${BASH_REMATCH[2]}
}
[[ $LEASE =~ ^([1-9][0-9]*)s$ ]] || { echo "bad --lease '$LEASE' (whole seconds: 10s)" >&2; exit 2; }
LEASE_S=${BASH_REMATCH[1]}
[[ $SWEEP =~ ^([1-9][0-9]*)s$ ]] || { echo "bad --sweep '$SWEEP' (whole seconds: 20s)" >&2; exit 2; }
SWEEP_S=${BASH_REMATCH[1]}
range --kill-every "$KILL_EVERY"; KILL_MIN=$RANGE_MIN KILL_MAX=$RANGE_MAX
range --freeze-secs "$FREEZE_SECS"; FREEZE_MIN=$RANGE_MIN FREEZE_MAX=$RANGE_MAX
case "$JAR" in /*) ;; *) JAR=$ROOT/$JAR ;; esac
[ -f "$JAR" ] || { echo "no $JAR: build it (./mvnw package -DskipTests) or pass --jar" >&2; exit 2; }
RANDOM=$SEED

for tool in psql pg_dump pg_restore age age-keygen jq curl python3 java aws sha256sum shuf; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

WORK=$ROOT/target/bench-chaos
CHAOS=$ROOT/bench/chaos        # the relay, the receiver and the file checks
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
LB_DB=chaos_lifeboat TROLE=chaos_target
TARGETS=(masto shop throwaway)
REPLICAS=(1 2 3)
CUT_REPLICA=3                  # the replica whose JDBC connections run through the relay
RUN_ID=$(date -u +%Y%m%dT%H%M%S)-$SEED
REPORT=$WORK/report.txt EVENTS=$WORK/events.tsv SUBMITTED=$WORK/submitted.tsv REJECTED=$WORK/rejected.tsv

# ---- on exit (bench/lib.sh's cleanup stops the replicas, the helpers in EXTRA_PIDS and S3Proxy first) ----
DRIVER_PID='' WRITER_PID='' RELAY_PID='' RECV_PID=''
declare -A RPID=() INC=() PORT=() JDBC=()
# shellcheck disable=SC2034 # EXTRA_PIDS is bench/lib.sh's cleanup's
set_extra_pids() { EXTRA_PIDS="${RPID[*]} $DRIVER_PID $WRITER_PID $RELAY_PID $RECV_PID"; }
cleanup_more() { rm -rf "$WORK/scratch" "$WORK/verify.dump"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: the test superuser, and the targets' role (its password in a 0600 file) ---------------
[ -s "$WORK/target-password" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/target-password")
pg_connect "$TROLE" "$(cat "$WORK/target-password")"
as_target() { PGUSER=$TROLE psql_q "$@"; }

# What an earlier run left: the scratch databases our role owns, then every chaos_* database.
log "dropping what earlier runs left (chaos_* databases, scratch databases owned by $TROLE)"
psql_q -d postgres -c "SELECT datname FROM pg_database d LEFT JOIN pg_roles r ON r.oid = d.datdba
    WHERE datname LIKE 'chaos\\_%' OR (r.rolname = '$TROLE' AND datname ~ '^lifeboat_(drill|restore)_')" |
  while read -r db; do psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done
# The targets connect as a role that is not a superuser, as a production target would (see bench/drill.sh):
# CREATEDB for the scratch databases, and it owns the target databases, which a replace restore needs.
psql_q -d postgres -v name="$TROLE" >/dev/null <<SQL
\\set pw '$(cat "$WORK/target-password")'
SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER CREATEDB PASSWORD %L', :'name', :'pw') \gexec
SQL
psql_q -d postgres -c "CREATE DATABASE $LB_DB"
for t in "${TARGETS[@]}"; do psql_q -d postgres -c "CREATE DATABASE chaos_$t OWNER $TROLE"; done

# ---- the targets' data: a few MB each, made by the targets' role (it owns every object) ---------------
log "filling chaos_masto (Mastodon-like), chaos_shop and chaos_throwaway"
as_target -d chaos_masto <<'SQL'
CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
INSERT INTO schema_migrations SELECT to_char(timestamp '2023-01-01' + g * interval '3 days', 'YYYYMMDDHH24MISS') FROM generate_series(1, 250) g;
CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL, domain text, display_name text, note text,
  created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (username, domain));
INSERT INTO accounts (username, domain, display_name, note)
  SELECT 'user' || g, CASE WHEN g % 3 = 0 THEN 'remote' || g % 50 || '.example' END, 'User ' || g, repeat(md5(g::text), 3) FROM generate_series(1, 5000) g;
CREATE TABLE users (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, email text NOT NULL UNIQUE,
  encrypted_password text, locale text, created_at timestamptz NOT NULL DEFAULT now());
-- Every local account (domain IS NULL) has its user row, as in Mastodon (the mastodon profile's drill checks it).
INSERT INTO users (account_id, email, encrypted_password, locale)
  SELECT g, 'user' || g || '@chaos.example', md5('pw' || g), (ARRAY['en', 'de', 'fr', 'ja'])[1 + g % 4] FROM generate_series(1, 5000) g WHERE g % 3 <> 0;
-- Mastodon's id generator, made by its db:migrate (the drill checks that it exists; this body is a stand-in).
CREATE FUNCTION timestamp_id(table_name text) RETURNS bigint LANGUAGE sql
  AS $$ SELECT (floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16) $$;
CREATE TABLE statuses (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, text text NOT NULL,
  in_reply_to_id bigint, visibility integer NOT NULL DEFAULT 0, sensitive boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO statuses (account_id, text, in_reply_to_id, visibility, created_at)
  SELECT 1 + g % 5000, 'toot ' || g || ' ' || md5(g::text) || ' ' || md5((g * 7)::text), CASE WHEN g % 5 = 0 THEN g - 1 END, g % 4,
         now() - (40000 - g) * interval '1 minute' FROM generate_series(1, 40000) g;
CREATE INDEX index_statuses_on_account_id_id ON statuses (account_id, id DESC);
CREATE TABLE follows (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,
  target_account_id bigint NOT NULL REFERENCES accounts, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (account_id, target_account_id));
INSERT INTO follows (account_id, target_account_id) SELECT 1 + g % 5000, 1 + (g * 13) % 4999 FROM generate_series(1, 20000) g ON CONFLICT DO NOTHING;
CREATE TABLE favourites (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, status_id bigint NOT NULL REFERENCES statuses,
  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO favourites (account_id, status_id) SELECT 1 + g % 5000, 1 + (g * 17) % 40000 FROM generate_series(1, 20000) g;
CREATE TABLE media_attachments (id bigserial PRIMARY KEY, status_id bigint REFERENCES statuses, file_meta jsonb, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO media_attachments (status_id, file_meta) SELECT g * 7, jsonb_build_object('width', g % 1920, 'height', g % 1080, 'blurhash', md5(g::text)) FROM generate_series(1, 5000) g;
CREATE VIEW public_timeline AS SELECT s.id, a.username, s.text, s.created_at FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE s.visibility = 0;
SQL
as_target -d chaos_shop <<'SQL'
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO customers (name, email) SELECT 'Customer ' || g, 'c' || g || '@shop.example' FROM generate_series(1, 5000) g;
CREATE TABLE products (id serial PRIMARY KEY, sku text UNIQUE NOT NULL, title text NOT NULL, price numeric(10, 2) NOT NULL);
INSERT INTO products (sku, title, price) SELECT 'SKU-' || g, 'Product ' || md5(g::text), (g % 500) + 0.99 FROM generate_series(1, 1000) g;
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers, status text NOT NULL DEFAULT 'new',
  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO orders (customer_id, status) SELECT 1 + g % 5000, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3] FROM generate_series(1, 20000) g;
CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders, product_id integer NOT NULL REFERENCES products,
  quantity integer NOT NULL CHECK (quantity > 0), PRIMARY KEY (order_id, product_id));
INSERT INTO order_items SELECT o, 1 + (o * k) % 1000, 1 + k FROM generate_series(1, 20000) o, generate_series(1, 3) k ON CONFLICT DO NOTHING;
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql STABLE
  AS 'SELECT sum(i.quantity * p.price) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = $1';
CREATE MATERIALIZED VIEW product_sales AS SELECT product_id, sum(quantity) AS sold FROM order_items GROUP BY product_id;
SQL
as_target -d chaos_throwaway <<'SQL'
CREATE TYPE mood AS ENUM ('calm', 'busy', 'on fire');
CREATE SEQUENCE ticket_no START 1000;
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, mood mood NOT NULL, payload jsonb, ticket integer DEFAULT nextval('ticket_no'));
INSERT INTO items (name, mood, payload) SELECT 'item ' || g, (ARRAY['calm', 'busy', 'on fire']::mood[])[1 + g % 3],
  jsonb_build_object('n', g, 'h', md5(g::text)) FROM generate_series(1, 8000) g;
CREATE TABLE notes (id serial PRIMARY KEY, item_id integer REFERENCES items, body text);
INSERT INTO notes (item_id, body) SELECT 1 + g % 8000, repeat(md5(g::text), 4) FROM generate_series(1, 6000) g;
CREATE INDEX notes_item ON notes (item_id);
CREATE VIEW busy_items AS SELECT * FROM items WHERE mood <> 'calm';
SQL
for t in "${TARGETS[@]}"; do
  log "chaos_$t: $(psql_q -d "chaos_$t" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
done

# ---- keys and token; S3Proxy (filesystem backend under target/bench-chaos/s3) --------------------------
make_keys
# S3Proxy's classpath: another benchmark's resolution is reused when it is current (it is the same pom),
# so that this script runs no Maven when one of them ran before.
for other in "$ROOT"/target/bench-{backup,drill}/s3proxy-cp.txt; do
  if [ ! -s "$WORK/s3proxy-cp.txt" ] && [ -s "$other" ] && [ "$other" -nt bench/backup/s3proxy/pom.xml ]; then
    cp -p "$other" "$WORK/s3proxy-cp.txt"
  fi
done
start_s3proxy
S3_ENV=(AWS_ACCESS_KEY_ID="$S3_ID" AWS_SECRET_ACCESS_KEY="$(cat "$WORK/s3-secret")" AWS_DEFAULT_REGION=us-east-1)
s3api() { env "${S3_ENV[@]}" aws --endpoint-url "http://127.0.0.1:$S3_PORT" s3api "$@"; }

# ---- the webhook/hook receiver and the relay -----------------------------------------------------------
RECV_PORT=$(free_port)
: > "$WORK/received.jsonl"
python3 "$CHAOS/receiver.py" "$RECV_PORT" "$WORK/received.jsonl" > "$WORK/receiver.log" 2>&1 &
RECV_PID=$!
RELAY_PORT=$(free_port)
python3 -u "$CHAOS/relay.py" "$RELAY_PORT" 127.0.0.1 "$PGPORT" "$CUT_SECS" > "$WORK/relay.log" 2>&1 &
RELAY_PID=$!
set_extra_pids
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$RECV_PORT/" && grep -q open "$WORK/relay.log" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$RECV_PORT/" || die "the receiver does not answer ($(cat "$WORK/receiver.log"))"
grep -q open "$WORK/relay.log" || die "the relay did not start ($(cat "$WORK/relay.log"))"

# ---- the replicas ---------------------------------------------------------------------------------------
HOOK=http://127.0.0.1:$RECV_PORT
PROPS=(
  -Dlifeboat.encryption.identity-file="$WORK/age-key.txt"
  -Dlifeboat.queue.workers="$WORKERS" -Dlifeboat.queue.lease="$LEASE" -Dlifeboat.queue.rescue-interval=2s
  -Dlifeboat.queue.retry-backoff=3s -Dlifeboat.queue.retry-backoff-max=20s -Dlifeboat.queue.max-attempts=5
  -Dlifeboat.drill.sweep-interval="$SWEEP"
  -Dquarkus.datasource.jdbc.max-size=8   # 3 replicas on a server shared with other test runs
  '-Dquarkus.log.category."dev.lifeboat.job.attempts".level=DEBUG'
  -Dlifeboat.notifications.webhooks.chaos.url="$HOOK/webhook" '-Dlifeboat.notifications.webhooks.chaos.events=*'
)
for t in "${TARGETS[@]}"; do
  PROPS+=("-Dlifeboat.targets.$t.host=127.0.0.1" "-Dlifeboat.targets.$t.port=$PGPORT" "-Dlifeboat.targets.$t.database=chaos_$t"
    "-Dlifeboat.targets.$t.username=$TROLE" "-Dlifeboat.targets.$t.password-file=$WORK/target-password"
    "-Dlifeboat.targets.$t.storage=s3")
done
PROPS+=(-Dlifeboat.targets.masto.profile=mastodon -Dlifeboat.targets.masto.retention.keep-last=4
  -Dlifeboat.targets.shop.format=directory -Dlifeboat.targets.shop.jobs=2 -Dlifeboat.targets.shop.retention.keep-last=4
  # no retention for throwaway: the backup its last replace restored must still be there for the check
  -Dlifeboat.targets.throwaway.hooks.pre-restore="$HOOK/hook/pre" -Dlifeboat.targets.throwaway.hooks.post-restore="$HOOK/hook/post"
  -Dlifeboat.targets.throwaway.hooks.timeout=10s)
mkdir -p "$WORK/logs"
rm -f "$WORK"/logs/*.log
: > "$EVENTS"
event() { local IFS=$'\t'; echo "$*" >> "$EVENTS"; }
start_replica() { # i: (re)starts replica i on its port with its settings, logging to a new file
  local i=$1 f
  INC[$i]=$((${INC[$i]:-0} + 1))
  f=$WORK/logs/r$i.${INC[$i]}.log
  mkdir -p "$WORK/scratch/r$i"
  launch_lifeboat "$f" "${PORT[$i]}" "${JDBC[$i]}" admin "${PROPS[@]}" -Dlifeboat.backup.scratch-dir="$WORK/scratch/r$i"
  RPID[$i]=$LAUNCHED_PID
  set_extra_pids
  event start "$(now)" "$i" "${RPID[$i]}" "${INC[$i]}" "$f"
}
for i in "${REPLICAS[@]}"; do
  PORT[$i]=$(free_port)
  JDBC[$i]=jdbc:postgresql://127.0.0.1:$PGPORT/$LB_DB
done
JDBC[$CUT_REPLICA]=jdbc:postgresql://127.0.0.1:$RELAY_PORT/$LB_DB
log "starting replicas ${REPLICAS[*]} (ports ${PORT[*]}; replica $CUT_REPLICA through the relay on $RELAY_PORT), -Xmx$XMX, $WORKERS workers, lease $LEASE, sweep $SWEEP"
start_replica 1   # alone first: Flyway makes the schema
wait_ready "http://127.0.0.1:${PORT[1]}" "${RPID[1]}" "$WORK/logs/r1.1.log" 1200 || die "replica 1 did not start"
for i in 2 3; do start_replica "$i"; done
for i in 2 3; do wait_ready "http://127.0.0.1:${PORT[$i]}" "${RPID[$i]}" "$WORK/logs/r$i.1.log" 1200 || die "replica $i did not start"; done

# ---- submitting jobs through any replica --------------------------------------------------------------
RESP=$WORK/resp.json CODE=
# call_any method path [body] [idempotency key]: the request to the replicas in random order until one
# answers (no answer or a 5xx: the next one; up to 3 rounds). -> CODE, the body in RESP; 1 if none did.
call_any() {
  local round i extra=()
  [ -z "${4:-}" ] || extra=(-H "Idempotency-Key: $4")
  [ "$1" = GET ] || extra+=(-H 'Content-Type: application/json' --data-binary "${3:-}")
  for round in 1 2 3; do
    for i in $(shuf -e "${REPLICAS[@]}"); do
      CODE=$(api -m 20 -o "$RESP" -w '%{http_code}' -X "$1" "${extra[@]}" "http://127.0.0.1:${PORT[$i]}$2" 2>>"$WORK/driver.err") || true
      case "$CODE" in ''|000|5*) ;; *) return 0 ;; esac
    done
    sleep "$round"
  done
  return 1
}
# post_job label target path body: POSTs a job with an Idempotency-Key of its own, so that a POST retried
# on another replica (the first one was killed mid-request) finds the same job; records it in SUBMITTED
# (or the refusal in REJECTED).
SUBMIT_N=0
post_job() {
  local key id
  SUBMIT_N=$((SUBMIT_N + 1))
  key=chaos-$RUN_ID-$SUBMIT_N
  call_any POST "$3" "$4" "$key" || { event unsubmitted "$(now)" "$1" "$2"; return 1; }
  if [ "$CODE" = 202 ] && id=$(jq -er .id "$RESP"); then
    printf '%s\t%s\t%s\t%s\t%s\n' "$(now)" "$id" "$1" "$2" "$key" >> "$SUBMITTED"
    LAST_ID=$id
  else
    printf '%s\t%s\t%s\t%s\t%s\n' "$(now)" "$1" "$2" "$CODE" "$(jq -c . "$RESP" 2>/dev/null || cat "$RESP")" >> "$REJECTED"
    return 1
  fi
}
pick_backup() { # target -> BID, a random available backup of it ("" if none)
  BID=
  if call_any GET "/api/v1/backups?target=$1&status=available&limit=20" && [ "$CODE" = 200 ]; then
    BID=$(jq -r '.items[].id' "$RESP" | shuf -n 1)
  fi
}
submit_one() { # target: one job of a random kind for it
  local t=$1 r label path body
  r=$((RANDOM % 100))
  if [ "$t" = throwaway ]; then   # replace restores only here
    if ((r < 30)); then label=backup; elif ((r < 55)); then label=restore_replace; elif ((r < 67)); then label=drill
    elif ((r < 77)); then label=verify; elif ((r < 85)); then label=restore_new; else label=prune; fi
  else
    if ((r < 35)); then label=backup; elif ((r < 57)); then label=drill; elif ((r < 72)); then label=verify
    elif ((r < 87)); then label=restore_new; else label=prune; fi
  fi
  case $label in backup|prune) ;; *) pick_backup "$t"; [ -n "$BID" ] || label=backup ;; esac
  case $label in
    backup) path=/api/v1/backups body="{\"target\":\"$t\"}" ;;
    drill) path=/api/v1/drills body="{\"target\":\"$t\"}"   # the newest backup, or (half the time) a random one
           if ((RANDOM % 2)); then body="{\"target\":\"$t\",\"backupId\":\"$BID\"}"; fi ;;
    verify) path=/api/v1/backups/$BID/verify body= ;;
    restore_new) path=/api/v1/restores body="{\"backupId\":\"$BID\",\"database\":\"chaos_r_$((SUBMIT_N + 1))\"}" ;;
    restore_replace) path=/api/v1/restores body="{\"backupId\":\"$BID\",\"mode\":\"replace\",\"confirm\":\"$t\"}" ;;
    prune) path=/api/v1/targets/$t/prune body= ;;
  esac
  post_job "$label" "$t" "$path" "$body" || true
}
# The driver (in the background): keeps --per-target jobs queued or running per target (follow-up prunes
# count too), submitting a random kind whenever a target has room, until WORK/stop exists.
driver() {
  trap - EXIT INT TERM
  RANDOM=$((SEED + 1)) RESP=$WORK/driver-resp.json
  local busy t c free
  declare -A per=()
  while [ ! -e "$WORK/stop" ]; do
    busy=$(psql_q -d "$LB_DB" -c "SELECT target, count(*) FROM job WHERE state IN ('queued', 'running') AND target IS NOT NULL
      GROUP BY target" 2>>"$WORK/driver.err") || { sleep 1; continue; }
    per=()
    while IFS='|' read -r t c; do [ -z "$t" ] || per[$t]=$c; done <<< "$busy"
    free=()
    for t in "${TARGETS[@]}"; do [ "${per[$t]:-0}" -ge "$PER_TARGET" ] || free+=("$t"); done
    if [ ${#free[@]} = 0 ]; then sleep 0.3; continue; fi
    submit_one "${free[RANDOM % ${#free[@]}]}"
  done
}
# Light write traffic on two targets meanwhile (not on throwaway: its content is checked at the end).
writer() {
  trap - EXIT INT TERM
  while [ ! -e "$WORK/stop" ]; do
    as_target -d chaos_masto -c "INSERT INTO statuses (account_id, text) SELECT 1 + (random() * 4999)::int, 'live ' || md5(random()::text)
      FROM generate_series(1, 5)" >/dev/null 2>&1 || true
    as_target -d chaos_shop -c "WITH o AS (INSERT INTO orders (customer_id) VALUES (1 + (random() * 4999)::int) RETURNING id)
      INSERT INTO order_items SELECT o.id, 1 + k * 97, 1 FROM o, generate_series(1, 3) k" >/dev/null 2>&1 || true
    sleep 3
  done
}

# ---- the run ---------------------------------------------------------------------------------------------
: > "$SUBMITTED"; : > "$REJECTED"; : > "$WORK/driver.err"; rm -f "$WORK/stop"
log "seed $SEED (run $RUN_ID): a first backup of each target"
first=()
for t in "${TARGETS[@]}"; do post_job backup "$t" /api/v1/backups "{\"target\":\"$t\"}" && first+=("$LAST_ID"); done
for id in "${first[@]}"; do
  for _ in $(seq 120); do
    case "$(psql_q -d "$LB_DB" -c "SELECT state FROM job WHERE id = '$id'")" in succeeded|failed|cancelled) break ;; esac
    sleep 1
  done
done
driver 2>>"$WORK/driver.err" & DRIVER_PID=$!
writer & WRITER_PID=$!
set_extra_pids

rand() { RAND=$(($1 + RANDOM % ($2 - $1 + 1))); }   # min max -> RAND (no subshell: it would not advance RANDOM)
T0=$EPOCHSECONDS T_END=$((EPOCHSECONDS + DURATION))
# the freezes: one in each of FREEZES equal slots of the run (leaving the first tenth alone), at a random
# point of its slot; the cut: at two fifths of the run
FREEZE_AT=()
if [ "$FREEZES" -gt 0 ]; then
  slot=$(((DURATION * 9 / 10 - FREEZE_MAX - 5) / FREEZES))
  [ "$slot" -gt 0 ] || die "--duration $DURATION is too short for $FREEZES freezes of up to $FREEZE_MAX s"
  for ((k = 0; k < FREEZES; k++)); do FREEZE_AT+=($((T0 + DURATION / 10 + k * slot + RANDOM % slot))); done
fi
CUT_AT=$((T0 + DURATION * 2 / 5))
rand "$KILL_MIN" "$KILL_MAX"
next_kill=$((T0 + RAND)) thaw_at=0 nf=0 cut=0 KILLS=0 FROZEN=0 CUTS=0 CRASHES=0 CUT_EXITS=0
log "chaos for $DURATION s: kill -9 every $KILL_EVERY s, $FREEZES S3 freezes of $FREEZE_SECS s, replica $CUT_REPLICA cut off for $CUT_SECS s at +$((CUT_AT - T0)) s"
while [ "$EPOCHSECONDS" -lt "$T_END" ]; do
  if [ "$EPOCHSECONDS" -ge "$next_kill" ]; then
    i=${REPLICAS[RANDOM % ${#REPLICAS[@]}]} pid=${RPID[$i]}
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    event kill "$(now)" "$i" "$pid" "${INC[$i]}"
    KILLS=$((KILLS + 1))
    log "kill -9 replica $i (pid $pid, run ${INC[$i]}): kill $KILLS; restarting it"
    start_replica "$i"
    rand "$KILL_MIN" "$KILL_MAX"
    next_kill=$((EPOCHSECONDS + RAND))
  fi
  if [ "$thaw_at" -gt 0 ] && [ "$EPOCHSECONDS" -ge "$thaw_at" ]; then
    kill -CONT "$S3_PID"; event thaw "$(now)"; thaw_at=0; log "S3Proxy continued"
  elif [ "$thaw_at" = 0 ] && [ "$nf" -lt "${#FREEZE_AT[@]}" ] && [ "$EPOCHSECONDS" -ge "${FREEZE_AT[$nf]}" ]; then
    rand "$FREEZE_MIN" "$FREEZE_MAX"
    kill -STOP "$S3_PID"; event freeze "$(now)" "$RAND"; thaw_at=$((EPOCHSECONDS + RAND)) nf=$((nf + 1)) FROZEN=$((FROZEN + 1))
    log "S3Proxy frozen (SIGSTOP) for $RAND s: freeze $FROZEN"
  fi
  if [ "$cut" = 0 ] && [ "$EPOCHSECONDS" -ge "$CUT_AT" ]; then
    kill -USR1 "$RELAY_PID"; event cut "$(now)" "$CUT_REPLICA" "$CUT_SECS"; cut=1 CUTS=1
    log "replica $CUT_REPLICA cut off Lifeboat's database for $CUT_SECS s"
  fi
  kill -0 "$DRIVER_PID" 2>/dev/null || die "the driver stopped (see $WORK/driver.err)"
  # A replica that exited by itself: recorded, and restarted (as Kubernetes would). Replica CUT_REPLICA
  # restarted during the cut cannot reach its database at start-up and exits: expected, counted apart.
  for i in "${REPLICAS[@]}"; do
    if ! kill -0 "${RPID[$i]}" 2>/dev/null; then
      wait "${RPID[$i]}" 2>/dev/null || true
      event died "$(now)" "$i" "${RPID[$i]}" "${INC[$i]}"
      f=$WORK/logs/r$i.${INC[$i]}.log
      if [ "$i" = "$CUT_REPLICA" ] && [ "$cut" = 1 ] && [ "$EPOCHSECONDS" -le $((CUT_AT + CUT_SECS + 5)) ]; then
        CUT_EXITS=$((CUT_EXITS + 1))
        log "replica $i (pid ${RPID[$i]}) exited during the cut ($(grep -m1 -o 'Connection to [^ ]* refused' "$f" || echo "see $f")); restarting it"
      else
        CRASHES=$((CRASHES + 1))
        log "replica $i (pid ${RPID[$i]}) EXITED by itself: see $f; restarting it"
      fi
      start_replica "$i"
    fi
  done
  sleep 0.5
done
[ "$thaw_at" = 0 ] || { kill -CONT "$S3_PID"; event thaw "$(now)"; log "S3Proxy continued"; }
touch "$WORK/stop"
wait "$DRIVER_PID" "$WRITER_PID" || true
DRIVER_PID='' WRITER_PID=''
set_extra_pids
T_STOP=$EPOCHSECONDS
log "chaos over: $KILLS kills, $FROZEN freezes, $CUTS cut; $(wc -l < "$SUBMITTED") jobs submitted"
while [ "$(grep -c '^open' "$WORK/relay.log")" -le "$(grep -c '^cut' "$WORK/relay.log")" ]; do sleep 1; done   # the cut is over
for i in "${REPLICAS[@]}"; do
  wait_ready "http://127.0.0.1:${PORT[$i]}" "${RPID[$i]}" "$WORK/logs/r$i.${INC[$i]}.log" 1200 || die "replica $i is not ready after the run"
done

# ---- the drain: no job queued or running, then leases, the follow-up reconcile and the maintenance pass --
active() { psql_q -d "$LB_DB" -c "SELECT count(*) FROM job WHERE state IN ('queued', 'running')"; }
jobs_total() { psql_q -d "$LB_DB" -c "SELECT count(*) FROM job"; }
# Quiet for long enough: two sweep intervals plus a lease, and at least 70 s (the follow-up reconcile
# runs every minute); and a replica up for its sweeper's first pass (2 min after start) plus a sweep.
settle=$((2 * SWEEP_S + LEASE_S)); [ "$settle" -ge 70 ] || settle=70
log "draining: waiting for an empty queue, then $settle s of quiet with a replica whose sweeper has run"
quiet_since='' seen_total='' deadline=$((EPOCHSECONDS + 900))
while :; do
  n=$(active) total=$(jobs_total)
  if [ "$n" != 0 ] || [ "$total" != "$seen_total" ]; then quiet_since=$EPOCHSECONDS seen_total=$total; fi
  oldest=0
  for i in "${REPLICAS[@]}"; do
    started=$(awk -F'\t' -v r="$i" '$1 == "start" && $3 == r { s = $2 } END { printf "%d", s }' "$EVENTS")
    [ $((EPOCHSECONDS - started)) -le "$oldest" ] || oldest=$((EPOCHSECONDS - started))
  done
  if [ "$n" = 0 ] && [ $((EPOCHSECONDS - quiet_since)) -ge "$settle" ] && [ "$oldest" -ge $((120 + SWEEP_S + 5)) ]; then break; fi
  if [ "$EPOCHSECONDS" -ge "$deadline" ]; then log "still $n job(s) queued or running after 15 minutes: checking anyway"; break; fi
  sleep 2
done
T_DRAINED=$EPOCHSECONDS
log "drained $((T_DRAINED - T_STOP)) s after the run"

# ---- the checks --------------------------------------------------------------------------------------------
: > "$REPORT"
declare -A V=()
section() { say "== $1"; }
verdict() { # name, then the check's output on stdin: reported; its last line "violations <n>" is the count
  local out
  out=$(cat)
  printf '%s\n' "$out" | sed '$d' | while IFS= read -r line; do say "$line"; done
  V[$1]=$(printf '%s\n' "$out" | tail -1 | awk '$1 == "violations" { print $2 }')
  [ -n "${V[$1]}" ] || { say "  (the check printed no verdict)"; V[$1]=1; }
}
psql_q -d "$LB_DB" -c "SELECT coalesce(json_agg(j), '[]') FROM (SELECT id, kind, target, state, attempt, max_attempts, idempotency_key,
  args, result, error, created_at, started_at, finished_at FROM job ORDER BY created_at) j" > "$WORK/jobs.json"

section "every submitted job reached exactly one terminal state; none stuck"
python3 "$CHAOS/verdict.py" jobs "$SUBMITTED" "$WORK/jobs.json" | verdict terminal || true

section "no job had two attempts running at once (attempt start/end log lines; kill -9 ends a replica's open attempts)"
python3 "$CHAOS/verdict.py" attempts "$EVENTS" "$(now)" | verdict overlap || true

section "every available backup's objects exist with the catalogued SHA-256; every stored manifest.json has a catalog row"
{
  bad=0 n=0
  while IFS='|' read -r id key sha mkey; do
    n=$((n + 1))
    f=$WORK/s3/bench/lifeboat/$key
    if [ ! -f "$f" ]; then echo "  VIOLATION backup $id: object $key is missing"; bad=$((bad + 1)); continue; fi
    got=$(sha256sum "$f" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || { echo "  VIOLATION backup $id: $key has SHA-256 $got, the catalog says $sha"; bad=$((bad + 1)); }
    [ -f "$WORK/s3/bench/lifeboat/$mkey" ] || { echo "  VIOLATION backup $id: its manifest $mkey is missing"; bad=$((bad + 1)); }
  done < <(psql_q -d "$LB_DB" -c "SELECT b.id, l->>'key', l->>'sha256', l->>'manifestKey' FROM backup b, jsonb_array_elements(b.locations) l
             WHERE b.status = 'available' ORDER BY b.created_at")
  if ! s3api list-objects-v2 --bucket bench --prefix lifeboat/ --query 'Contents[].Key' --output text > "$WORK/s3-list.txt"; then
    echo "  VIOLATION ListObjectsV2 failed: the manifests were not checked"; bad=$((bad + 1))
  fi
  tr '\t' '\n' < "$WORK/s3-list.txt" | grep -v -e '^None$' -e '^$' > "$WORK/s3-keys.txt" || true
  psql_q -d "$LB_DB" -c "SELECT id FROM backup" | sort > "$WORK/catalog-ids.txt"
  manifests=0 orphans=0
  while read -r key; do
    manifests=$((manifests + 1))
    id=$(basename "$(dirname "$key")")
    grep -qx "$id" "$WORK/catalog-ids.txt" || { echo "  VIOLATION $key has no catalog row"; bad=$((bad + 1)); }
  done < <(grep '/manifest\.json$' "$WORK/s3-keys.txt")
  # objects of backup directories without a manifest (killed backups the next backup of the target sweeps): not a violation
  orphans=$(sed -n 's#^\(.*/\)[^/]*$#\1#p' "$WORK/s3-keys.txt" | sort -u | while read -r dir; do
    grep -qx "${dir}manifest.json" "$WORK/s3-keys.txt" || echo "$dir"; done | wc -l)
  echo "  $n stored copies of $(psql_q -d "$LB_DB" -c "SELECT count(*) FROM backup WHERE status = 'available'") available backups hashed"\
       "($(psql_q -d "$LB_DB" -c "SELECT count(*) FROM backup WHERE status <> 'available'") not available); $manifests manifests in"\
       "the bucket; $orphans backup directories without a manifest"
  echo "violations $bad"
} | verdict objects || true

section "no incomplete multipart upload"
{
  if s3api list-multipart-uploads --bucket bench --output json > "$WORK/multipart.json"; then
    jq -r '(.Uploads // [])[] | "  VIOLATION incomplete upload \(.Key) (\(.UploadId), initiated \(.Initiated))"' "$WORK/multipart.json"
    echo "violations $(jq '(.Uploads // []) | length' "$WORK/multipart.json")"
  else
    echo "  VIOLATION ListMultipartUploads failed: nothing checked"; echo "violations 1"
  fi
} | verdict multipart || true

# this run's scratch databases: lifeboat_drill_/lifeboat_restore_ + 16 hex of one of its jobs' ids
psql_q -d "$LB_DB" -c "SELECT left(replace(id::text, '-', ''), 16) FROM job WHERE kind IN ('drill', 'restore')" | sort > "$WORK/job-prefixes.txt"
psql_q -d postgres -c "SELECT datname FROM pg_database WHERE datname ~ '^lifeboat_(drill|restore)_[0-9a-f]{16}$'" |
  while read -r db; do grep -qx "${db##*_}" "$WORK/job-prefixes.txt" && echo "$db"; done > "$WORK/our-scratch.txt" || true
section "no scratch database of this run left (lifeboat_drill_*, lifeboat_restore_* of its jobs)"
{
  sed 's/^/  VIOLATION left behind: /' "$WORK/our-scratch.txt"
  echo "violations $(wc -l < "$WORK/our-scratch.txt")"
} | verdict scratch || true

section "no database of this run refuses connections (datallowconn = false)"
{
  psql_q -d postgres -c "SELECT datname FROM pg_database WHERE NOT datallowconn AND datname LIKE 'chaos\\_%'" > "$WORK/fenced.txt"
  while read -r db; do
    [ "$(psql_q -d postgres -c "SELECT datallowconn FROM pg_database WHERE datname = '$db'")" != f ] || echo "$db"
  done < "$WORK/our-scratch.txt" >> "$WORK/fenced.txt"
  sed 's/^/  VIOLATION refuses connections: /' "$WORK/fenced.txt"
  echo "  fences still open in Lifeboat's fence table: $(psql_q -d "$LB_DB" -c "SELECT count(*) FROM fence WHERE lifted_at IS NULL")"
  echo "violations $(wc -l < "$WORK/fenced.txt")"
} | verdict fenced || true

section "the replace-restored target equals the backup its last replace restored; one kept database per successful replace"
# schema (pg_dump --schema-only, without its random \restrict key) and each table's rows, sorted, hashed
schema_of() { PGUSER=$TROLE pg_dump --schema-only "$1" | grep -v -e '^\\\(un\)\?restrict ' -e '^--' -e '^$'; }
rows_of() {
  as_target -d "$1" <<'SQL'
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t', c.oid::regclass, c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
\gexec
SQL
}
{
  bad=0
  psql_q -d "$LB_DB" -c "SELECT left(id::text, 8), id, state FROM job WHERE kind = 'restore' AND args->>'mode' = 'replace'" > "$WORK/replaces.txt"
  psql_q -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'chaos\\_throwaway\\_before\\_%'" > "$WORK/kept.txt"
  while IFS='|' read -r short id state; do
    k=$(grep -c "_before_${short}\$" "$WORK/kept.txt" || true)
    if [ "$state" = succeeded ] && [ "$k" != 1 ]; then echo "  VIOLATION replace $id succeeded, $k kept databases"; bad=$((bad + 1)); fi
    if [ "$state" != succeeded ] && [ "$k" != 0 ]; then echo "  VIOLATION replace $id ended $state, yet chaos_throwaway was swapped (kept database chaos_throwaway_before_$short)"; bad=$((bad + 1)); fi
  done < "$WORK/replaces.txt"
  while read -r db; do
    grep -q "^${db##*_}|" "$WORK/replaces.txt" || { echo "  VIOLATION $db belongs to no replace restore of this run"; bad=$((bad + 1)); }
  done < "$WORK/kept.txt"
  echo "  replace restores: $(cut -d'|' -f3 "$WORK/replaces.txt" | sort | uniq -c | awk '{ printf "%s%s %s", s, $2, $1; s = ", " }'); kept databases: $(wc -l < "$WORK/kept.txt")"
  read -r last bid < <(psql_q -F ' ' -d "$LB_DB" -c "SELECT id, result->>'backupId' FROM job WHERE kind = 'restore' AND args->>'mode' = 'replace'
    AND state = 'succeeded' ORDER BY finished_at DESC LIMIT 1") || true
  if [ -z "${bid:-}" ]; then
    echo "  VIOLATION no replace restore succeeded: nothing to compare"; bad=$((bad + 1))
  else
    key=$(psql_q -d "$LB_DB" -c "SELECT locations->0->>'key' FROM backup WHERE id = '$bid'")
    if [ -z "$key" ]; then
      echo "  VIOLATION backup $bid of the last replace ($last) is no longer in the catalog"; bad=$((bad + 1))
    else
      psql_q -d postgres -c "DROP DATABASE IF EXISTS chaos_verify" -c "CREATE DATABASE chaos_verify OWNER $TROLE"
      if [[ $key == *.zst.age ]]; then unzstd=(zstd -d -q -c); else unzstd=(cat); fi   # Lifeboat's zstd (the default)
      age -d -i "$WORK/age-key.txt" "$WORK/s3/bench/lifeboat/$key" | "${unzstd[@]}" > "$WORK/verify.dump"
      if ! PGUSER=$TROLE pg_restore --no-owner --exit-on-error -d chaos_verify "$WORK/verify.dump"; then
        echo "  VIOLATION backup $bid of the last replace ($last) does not restore with age -d | zstd -d | pg_restore"; bad=$((bad + 1))
      fi
      schema_of chaos_throwaway > "$WORK/schema-live.sql"; schema_of chaos_verify > "$WORK/schema-backup.sql"
      rows_of chaos_throwaway > "$WORK/rows-live.txt"; rows_of chaos_verify > "$WORK/rows-backup.txt"
      if ! diff -u "$WORK/schema-backup.sql" "$WORK/schema-live.sql" > "$WORK/schema.diff"; then
        echo "  VIOLATION chaos_throwaway's schema differs from backup $bid's (restored by $last): see $WORK/schema.diff"; bad=$((bad + 1))
      fi
      if ! diff -u "$WORK/rows-backup.txt" "$WORK/rows-live.txt" > "$WORK/rows.diff"; then
        echo "  VIOLATION chaos_throwaway's rows differ from backup $bid's (restored by $last): see $WORK/rows.diff"; bad=$((bad + 1))
      fi
      echo "  chaos_throwaway against backup $bid (the last successful replace, $last): schema $(wc -l < "$WORK/schema-live.sql") lines,"\
           "$(wc -l < "$WORK/rows-live.txt") tables ($(awk -F'|' '{ s += $2 } END { print s + 0 }' "$WORK/rows-live.txt") rows) compared"
      psql_q -d postgres -c "DROP DATABASE IF EXISTS chaos_verify"
    fi
  fi
  echo "violations $bad"
} | verdict replace || true

section "every new-database restore that succeeded made its database; none that failed or was cancelled did"
{
  bad=0
  while IFS='|' read -r id state db; do
    exists=$(psql_q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")
    if [ "$state" = succeeded ] && [ "$exists" != 1 ]; then echo "  VIOLATION restore $id succeeded, but $db does not exist"; bad=$((bad + 1)); fi
    if [ "$state" != succeeded ] && [ "$exists" != 0 ]; then
      echo "  VIOLATION restore $id ended $state, yet $db exists (restored by an attempt whose success was not recorded?)"; bad=$((bad + 1))
    fi
  done < <(psql_q -d "$LB_DB" -c "SELECT id, state, args->>'database' FROM job WHERE kind = 'restore' AND coalesce(args->>'mode', 'new') = 'new'")
  echo "  new-database restores: $(psql_q -d "$LB_DB" -c "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM job
    WHERE kind = 'restore' AND coalesce(args->>'mode', 'new') = 'new' GROUP BY state ORDER BY state) s")"
  echo "violations $bad"
} | verdict restores || true

section "every webhook event delivered exactly once (X-Lifeboat-Delivery)"
python3 "$CHAOS/verdict.py" webhooks "$WORK/jobs.json" "$WORK/received.jsonl" | verdict webhooks || true

if [ "$KEEP" = 0 ]; then
  psql_q -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'chaos\\_r\\_%'" |
    while read -r db; do psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done
fi

# ---- summary -------------------------------------------------------------------------------------------------
states=$(jq -r '.[] | "\(.id) \(.state)"' "$WORK/jobs.json" | sort | join - <(cut -f2 "$SUBMITTED" | sort -u) | cut -d' ' -f2 | sort | uniq -c |
  awk '{ printf "%s%s %s", s, $2, $1; s = ", " }')
kinds=$(cut -f3 "$SUBMITTED" | sort | uniq -c | awk '{ printf "%s%s %s", s, $2, $1; s = ", " }')
submitted=$(cut -f2 "$SUBMITTED" | sort -u | wc -l)
total=0 parts=''
for c in terminal overlap objects multipart scratch fenced replace restores webhooks; do total=$((total + V[$c])); parts+="${parts:+, }$c ${V[$c]}"; done
say "rejected submissions: $(wc -l < "$REJECTED") (see $REJECTED); replicas that exited by themselves: $CRASHES, and $CUT_EXITS times replica $CUT_REPLICA at start-up during the cut"
[ "$submitted" -ge 300 ] && jobs_ok=met || jobs_ok=MISSED
[ "$KILLS" -ge 15 ] && kills_ok=met || kills_ok=MISSED
[ "$total" = 0 ] && v_ok=met || v_ok=MISSED
summary="chaos soak: $submitted jobs submitted ($kinds) -> $states; $KILLS kills, $FROZEN S3 freezes, $CUTS DB cut (replica $CUT_REPLICA, $CUT_SECS s; $CUT_EXITS start-up exits during it), $CRASHES crashes; ${DURATION} s, seed $SEED; violations: $parts [targets: 0 violations $v_ok, >= 300 jobs $jobs_ok, >= 15 kills $kills_ok]"
finish_report chaos "$summary"
[ "$total" = 0 ]
