#!/usr/bin/env bash
# Compression benchmark (issue #11): raw `pg_dump -Fc -f file` against a Lifeboat backup compressed
# in-process with zstd (the default: pg_dump --compress=0 -> multi-threaded zstd -> age -> S3Proxy) and
# one compressed by pg_dump itself (compression=gzip -> age -> S3Proxy), in alternating triples, on pgbench
# databases and on a text-heavy database; then a drill of the smallest scale's zstd backup against a raw
# createdb + pg_restore of the raw -Fc file. Prints times, sizes, the jobs' own timings, CPU per process
# group and the service's peak RSS; the LAST line printed is the summary (with met/MISSED per target), also
# written to target/bench/compression.txt. See bench/README.md, "Compression benchmark (issue #11)".
#
# Usage: bench/compression.sh [--scales 100,300] [--runs 3] [--text-mb 1024] [--xmx 256m] [--no-build]
#                             [--jar path] [--busy 0.25] [--no-text] [--no-drill] [--keep-dumps]
#   --scales     pgbench scale factors, comma-separated (one database bench_s<scale> each, created
#                with `pgbench -i -s <scale>` once and reused while its row count is right). The largest
#                scale gets the 0.85 time target, every other one 0.90; the smallest one's fixed costs
#                and drill are measured (so the defaults give the targets of issue #11 for s300 and s100)
#   --runs       uncontended triples per database (raw, zstd, gzip, raw, ...) and uncontended pairs of
#                the drill (raw restore, drill, ...); medians reported
#   --max-attempts  triples (pairs) per database at most, contended ones included (default 3 x --runs)
#   --text-mb    size of the text database bench_text in MB (its posts table, at least), made once and
#                reused while it was made for this size
#   --no-text    skip the text database
#   --no-drill   skip the drill part
#   --xmx        the service's -Xmx
#   --no-build   use the existing target/quarkus-app instead of running ./mvnw package
#   --jar        run this Lifeboat build instead (implies --no-build)
#   --busy       CPU of other processes (cores, averaged over a run) above which a triple (pair) counts
#                as contended: reported, left out of the figures, and another one is run
#   --keep-dumps keep the raw dumps and S3Proxy's files in target/bench-compression/ (deleted on exit)
# Environment: BENCH_QUIET_WAIT (seconds to wait for a quiet machine before each triple, default 120).
#
# Everything it creates lives in target/bench-compression/ (S3Proxy's files, raw dumps, keys, logs,
# runs.tsv with every measurement) and in the local PostgreSQL: databases bench_s<scale> (shared with
# bench/backup.sh and bench/drill.sh), bench_s1 (warm-up), bench_text (the text database, kept for the
# next run), bench_comp_raw (the raw restores, dropped after each), lifeboat_bench_compression (the
# service's own, recreated each run) and the role bench_compression (the targets' role and the raw
# side's: LOGIN CREATEDB, pg_read_all_data, not a superuser, as in bench/drill.sh); the drills' scratch
# databases lifeboat_drill_<job> are made and dropped by Lifeboat. It starts S3Proxy and Lifeboat itself
# and stops both on exit. The set-up it shares with the other benchmarks is in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100,300 RUNS=3 MAX_ATTEMPTS= XMX=256m BUILD=1 BUSY=0.25 KEEP_DUMPS=0 JAR=target/quarkus-app/quarkus-run.jar
TEXT_MB=1024 TEXT=1 DRILL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --text-mb) TEXT_MB=$2; shift 2 ;;
    --text-mb=*) TEXT_MB=${1#*=}; shift ;;
    --no-text) TEXT=0; shift ;;
    --no-drill) DRILL=0; shift ;;
    --keep-dumps) KEEP_DUMPS=1; shift ;;
    --no-diagnose|--no-diagnose=*) echo "unknown argument: $1 (this benchmark has no diagnosis runs; see --help)" >&2; exit 2 ;;
    -h|--help) usage; exit 0 ;;
    *) common_arg "$@" || { echo "unknown argument: $1 (see --help)" >&2; exit 2; }; shift "$ARG_SHIFT" ;;
  esac
done
check_scales_runs
[[ $TEXT_MB =~ ^[1-9][0-9]*$ ]] || { echo "bad --text-mb '$TEXT_MB'" >&2; exit 2; }
[[ $BUSY =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bad --busy '$BUSY'" >&2; exit 2; }
[[ $MAX_ATTEMPTS =~ ^[1-9][0-9]*$ ]] || { echo "bad --max-attempts '$MAX_ATTEMPTS'" >&2; exit 2; }
case "$JAR" in /*) ;; *) JAR=$ROOT/$JAR ;; esac

for tool in psql pg_dump pg_restore pgbench age age-keygen zstd jq curl python3 java sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/pg-setup.sh test installs PostgreSQL, age, zstd and jq)"
done

WORK=$ROOT/target/bench-compression
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
RAW_DB=bench_comp_raw           # the raw restores go here; dropped after each
TEXT_DB=bench_text
TROLE=bench_compression         # the targets' role, and the raw side's (pg_dump, pg_restore)
SVC_DB=lifeboat_bench_compression
# the databases whose backends count as the benchmark's; lifeboat_drill_* may also be another Lifeboat's
# scratch database (counted as ours)
OUR_DBS=('bench_*' "$SVC_DB" 'lifeboat_drill_*')
SVC_CHILD=pg_dump SCRIPT_TOOLS="raw pg_dump, psql, curl"   # pg_restore for the drill part
RUNS_TSV=$WORK/runs.tsv         # every measurement, one line each (see record())

# scales sorted: the smallest gets the fixed-cost target and the drill, the largest the 0.85 time target
mapfile -t SORTED < <(printf '%s\n' "${SCALE_LIST[@]}" | sort -n -u)
SMALL=${SORTED[0]} LARGE=${SORTED[${#SORTED[@]} - 1]}

# ---- on exit (bench/lib.sh's cleanup stops S3Proxy, Lifeboat and the sampler first) ------------------
PG_READY=0
OUR_SCRATCH=()                  # lifeboat_drill_<job> of our drills (dropped on exit if still there)
cleanup_more() {
  local db
  if [ "$PG_READY" = 1 ]; then
    # only databases this run made: the raw restore's, and scratch databases of our own drill jobs that a
    # killed service could not drop
    for db in "$RAW_DB" "${OUR_SCRATCH[@]}"; do
      psql -X -q -tA -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$WORK/scratch"
  [ "$KEEP_DUMPS" = 1 ] || rm -rf "$WORK"/raw_*.dump "$WORK/s3"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: the test superuser (set-up, CHECKPOINT) and the targets' role ---------------------------
target_role "$TROLE"   # see bench/lib.sh
PG_READY=1

for s in 1 "${SORTED[@]}"; do ensure_db "$s"; done   # bench_s1: the warm-up

# The text database: posts whose title, body and tags are drawn from a vocabulary of 40,000 pseudo-words
# (1 to 5 syllables, short ones frequent) with Zipf-like frequencies (log-uniform rank), in 400,000
# sentences of 3 to 18 words (3 % numbers) and varied punctuation; a post has 1 to 30 sentences
# (log-uniform: many short posts, a few long ones), an author, a time, a language, 1 to 6 tags, a random
# md5 and a score. It compresses like prose (pg_dump's gzip about 2.2x, zstd -1 about 2x, much as on
# English documentation: 3.3x and 3.1x), not like pgbench's blank filler (about 50x). Made once and
# reused while its comment says it was made for this --text-mb by this generator.
TEXT_MARK="bench/compression.sh text v1: posts of at least $TEXT_MB MB"
ensure_text_db() {
  local have size rows bpr need_mb avail_mb
  have=$(psql_q -d "$TEXT_DB" -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()" 2>/dev/null || true)
  if [ "$have" = "$TEXT_MARK" ]; then
    log "$TEXT_DB exists ($have): reused"
    return
  fi
  need_mb=$((TEXT_MB * 3 / 2 + 2048))
  avail_mb=$(pg_free_mb)
  [ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
    || die "$TEXT_DB needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free: use a smaller --text-mb"
  log "creating $TEXT_DB: $TEXT_MB MB of generated text (about $((TEXT_MB / 10 + 15)) s)"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $TEXT_DB WITH (FORCE)" -c "CREATE DATABASE $TEXT_DB"
  # (The lateral generate_series refer to the outer row so that they are evaluated per row.)
  psql_q -d "$TEXT_DB" >/dev/null <<'SQL'
CREATE UNLOGGED TABLE gen_words AS
SELECT i AS id, string_agg(
    (ARRAY['b','c','d','f','g','h','j','k','l','m','n','p','r','s','t','v','w','z','th','st','ch','sh','br','tr','gr','pl','','',''])[1 + floor(random() * 29)::int]
    || (ARRAY['a','e','i','o','u','a','e','i','o','ai','ea','ou','ie','y'])[1 + floor(random() * 14)::int]
    || (ARRAY['','','','n','r','s','t','l','m','nd','ck','ng'])[1 + floor(random() * 12)::int], '') AS w
FROM generate_series(1, 40000) i,
     LATERAL generate_series(1, 1 + (i > 60)::int + (i > 1500)::int + floor(random() * 2)::int) s
GROUP BY i;
ALTER TABLE gen_words ADD PRIMARY KEY (id);
CREATE UNLOGGED TABLE gen_sentences AS
SELECT id, upper(left(t, 1)) || substr(t, 2) || (ARRAY['.','.','.','.','?','!',';',':'])[1 + floor(random() * 8)::int] AS t
FROM (SELECT x.id, string_agg(CASE WHEN random() < 0.03 THEN floor(exp(random() * 8))::text ELSE w.w END, ' ') AS t
      FROM (SELECT id, floor(exp(random() * ln(40001)))::int AS wid
            FROM generate_series(1, 400000) id, LATERAL generate_series(1, 3 + floor(random() * 16)::int + 0 * id) k) x
      JOIN gen_words w ON w.id = x.wid GROUP BY x.id) s;
ALTER TABLE gen_sentences ADD PRIMARY KEY (id);
CREATE TABLE posts (id bigint NOT NULL, author text NOT NULL, created_at timestamptz NOT NULL, lang text NOT NULL,
                    title text NOT NULL, body text NOT NULL, tags text NOT NULL, ref text NOT NULL, score int NOT NULL);
SQL
  # In batches until the posts table holds TEXT_MB MB: a small first batch gives the bytes per row.
  rows=0 bpr=0
  while :; do
    size=$(psql_q -d "$TEXT_DB" -c "SELECT pg_total_relation_size('posts')")
    [ "$size" -lt $((TEXT_MB * 1048576)) ] || break
    if [ "$rows" = 0 ]; then n=2000; else
      bpr=$((size / rows))
      n=$(( ( TEXT_MB * 1048576 - size ) / bpr + 100 ))
      [ "$n" -le 200000 ] || n=200000
    fi
    psql_q -d "$TEXT_DB" -v a=$((rows + 1)) -v b=$((rows + n)) >/dev/null <<'SQL'
INSERT INTO posts
SELECT b.id, a.w || '_' || (b.id % 997), timestamptz '2020-01-01' + random() * interval '1800 days',
       (ARRAY['en','en','en','de','fr','es','nl'])[1 + floor(random() * 7)::int], b.title, b.body, t.tags,
       md5(b.id::text || random()::text), floor(exp(random() * 9))::int
FROM (SELECT x.id, max(s.t) FILTER (WHERE x.k = 0) AS title, string_agg(s.t, ' ') FILTER (WHERE x.k > 0) AS body
      FROM (SELECT id, k, 1 + floor(random() * 400000)::int AS sid
            FROM generate_series(:a::bigint, :b::bigint) id,
                 LATERAL generate_series(0, floor(exp(random() * ln(30)))::int + 0 * id) k) x
      JOIN gen_sentences s ON s.id = x.sid GROUP BY x.id) b
JOIN (SELECT x.id, string_agg(w.w, ',') AS tags
      FROM (SELECT id, floor(exp(random() * ln(40001)))::int AS wid
            FROM generate_series(:a::bigint, :b::bigint) id, LATERAL generate_series(0, floor(random() * 5)::int + 0 * id) k) x
      JOIN gen_words w ON w.id = x.wid GROUP BY x.id) t ON t.id = b.id
JOIN gen_words a ON a.id = 1 + (b.id * 7919) % 40000;
SQL
    rows=$((rows + n))
  done
  psql_q -d "$TEXT_DB" -c 'DROP TABLE gen_words, gen_sentences' -c 'ALTER TABLE posts ADD PRIMARY KEY (id)' \
    -c 'VACUUM (ANALYZE) posts' -c 'CHECKPOINT' >/dev/null
  # the mark last: a build that was interrupted is made again
  psql_q -d postgres -c "COMMENT ON DATABASE $TEXT_DB IS '$TEXT_MARK'"
  log "$TEXT_DB made: $rows posts, $(psql_q -d "$TEXT_DB" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
}
[ "$TEXT" = 0 ] || ensure_text_db

# A restore needs room for a second copy of the database (the drill's scratch one, or the raw one).
if [ "$DRILL" = 1 ]; then
  need_mb=$((SMALL * 16 * 3 / 2 + 2048))
  avail_mb=$(pg_free_mb)
  [ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
    || die "restoring bench_s$SMALL needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free"
fi

# ---- keys and token; S3Proxy, filesystem backend under target/bench-compression/s3 ------------------------
make_keys
# S3Proxy's classpath from another benchmark's run, if one resolved it: no Maven run then
for other in "$ROOT"/target/bench-{backup,drill,chaos}/s3proxy-cp.txt; do
  if [ ! -s "$WORK/s3proxy-cp.txt" ] && [ -s "$other" ] && [ "$other" -nt bench/backup/s3proxy/pom.xml ]; then
    cp -p "$other" "$WORK/s3proxy-cp.txt"
  fi
done
start_s3proxy

# ---- Lifeboat (its own database, an operator token), then the RSS sampler ---------------------------------
target_props=()
add_target() { # name database [compression]: custom format, to S3; no compression key = the default (zstd)
  local t=$1
  target_props+=(-Dlifeboat.targets.$t.host=127.0.0.1 -Dlifeboat.targets.$t.port="$PGPORT"
    -Dlifeboat.targets.$t.database="$2" -Dlifeboat.targets.$t.username="$TROLE"
    -Dlifeboat.targets.$t.password-file="$WORK/target-password" -Dlifeboat.targets.$t.storage=s3
    -Dlifeboat.targets.$t.format=custom)
  [ -z "${3:-}" ] || target_props+=(-Dlifeboat.targets.$t.compression="$3")
}
add_target w bench_s1                    # warm-up
add_target wgz bench_s1 gzip
for s in "${SORTED[@]}"; do
  add_target "s$s" "bench_s$s"           # zstd: the default
  add_target "s${s}gz" "bench_s$s" gzip  # pg_dump's own compression, as before zstd
done
if [ "$TEXT" = 1 ]; then add_target text "$TEXT_DB"; add_target textgz "$TEXT_DB" gzip; fi
rm -rf "$WORK/scratch" && mkdir -p "$WORK/scratch"
start_lifeboat "$SVC_DB" operator \
  -Dlifeboat.encryption.identity-file="$WORK/age-key.txt" \
  -Dlifeboat.backup.scratch-dir="$WORK/scratch" \
  "${target_props[@]}"
start_rss_sampler

# ---- one measurement of each kind --------------------------------------------------------------------
# (They set globals instead of printing, so that they run in this shell: the raw pg_dump's and
# pg_restore's CPU time lands in this script's cutime, and a failure stops the script.)
LAST_DUMP_BYTES=0 BACKUP_ID= ARCHIVE_BYTES= MILLIS=
raw_dump() { # database label -> SECS, LAST_DUMP_BYTES; the dump stays in WORK/raw_<label>.dump
  local f=$WORK/raw_$2.dump t0 t1
  rm -f "$f"
  t0=$(now)
  PGUSER=$TROLE pg_dump -Fc -f "$f" "$1"
  t1=$(now)
  LAST_DUMP_BYTES=$(stat -c %s "$f")
  SECS=$(elapsed "$t0" "$t1")
}
lb_backup() { # target -> SECS (POST -> terminal job), LAST_JOB, BACKUP_ID, MILLIS ("preflight dump commitAndReadBack finish")
  job_run /api/v1/backups "{\"target\":\"$1\"}"
  BACKUP_ID=$(jq -r .result.backupId "$LAST_JOB")
  MILLIS=$(jq -r '.result.millis | "\(.preflight) \(.dump) \(.commitAndReadBack) \(.finish)"' "$LAST_JOB")
}
catalog_entry() { # backupId compression -> ARCHIVE_BYTES (untimed: after the run); stops if the compression differs
  local body comp
  body=$(api "$API/api/v1/backups/$1")
  comp=$(jq -r .compression <<< "$body")
  [ "$comp" = "$2" ] || die "backup $1 has compression '$comp', expected '$2'"
  ARCHIVE_BYTES=$(jq -r '.archiveBytes // 0' <<< "$body")
}
checkpoint() { psql_q -d postgres -c CHECKPOINT >/dev/null; }   # untimed, before each restore
drop_raw_db() { psql_q -d postgres -c "DROP DATABASE IF EXISTS $RAW_DB WITH (FORCE)"; }
raw_restore() { # dump file -> SECS (createdb + pg_restore), DROP_SECS; the database is dropped
  local t0 t1 t2
  drop_raw_db
  t0=$(now)
  PGUSER=$TROLE createdb "$RAW_DB"
  PGUSER=$TROLE pg_restore --no-owner --no-privileges --exit-on-error -d "$RAW_DB" "$1"
  t1=$(now)
  drop_raw_db
  t2=$(now)
  SECS=$(elapsed "$t0" "$t1"); DROP_SECS=$(elapsed "$t1" "$t2")
}
# job_run (bench/lib.sh) calls this as soon as it knows the job id: the scratch database of a drill job,
# for cleanup_more should the service not drop it
job_posted() {
  [ "$1" != /api/v1/drills ] || OUR_SCRATCH+=("lifeboat_drill_$(printf %s "${JOB_ID//-/}" | cut -c1-16)")
}
# Scratch databases lifeboat_drill_* that are not ours belong to another Lifeboat's drill (a test suite on
# the same server): our drill would try to drop them first (retrying for ~6 s, as our role does not own
# them). Waits (up to QUIET_WAIT s) until there are none; returns 1 if some were still there.
foreign_scratch() {
  psql_q -d postgres -c "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database
    WHERE datname LIKE 'lifeboat\\_drill\\_%' AND datdba <> (SELECT oid FROM pg_roles WHERE rolname = '$TROLE')"
}
wait_no_foreign_scratch() {
  local start found
  start=$(now)
  while found=$(foreign_scratch); [ -n "$found" ]; do
    if [ "$(elapsed "$start" "$(now)" | cut -d. -f1)" -ge "$QUIET_WAIT" ]; then
      log "another Lifeboat's scratch databases still exist after $QUIET_WAIT s ($found): measuring anyway"
      return 1
    fi
    sleep 1
  done
  return 0
}
LOG_NOTES=
drill_run() { # target backupId [sample] -> SECS, LAST_JOB, LOG_NOTES (non-zero: another Lifeboat's scratch databases were in the way)
  local lines0 foreign=
  wait_no_foreign_scratch || foreign=1
  lines0=$(wc -l < "$WORK/lifeboat.log")
  job_run /api/v1/drills "{\"target\":\"$1\",\"backupId\":\"$2\"}" "${3:-}"
  [ "$(jq -r .result.passed "$LAST_JOB")" = true ] \
    || { jq .result "$LAST_JOB" >&2; die "the drill of $1 backup $2 did not pass: $(jq -r .result.reason "$LAST_JOB")"; }
  LOG_NOTES=$(tail -n +"$((lines0 + 1))" "$WORK/lifeboat.log" | grep -c -E 'dropping lifeboat_drill_|could not drop the (drill )?database lifeboat_drill_' || true)
  [ -z "$foreign" ] || LOG_NOTES=$((LOG_NOTES + 1))
}
# Reads every table of a database once, untimed (sequential scans, no parallel workers), so that the
# first raw pg_dump does not pay for a cold page cache that the runs after it do not.
warm_db() {
  PGUSER=$TROLE psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
SET max_parallel_workers_per_gather = 0;
SET enable_indexonlyscan = off;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT format('SELECT count(*) FROM ONLY %s', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
\gexec
SQL
}

# CPU seconds of each group since groups_start (bench/lib.sh), tab-separated: postgres, Lifeboat's JVM,
# its children (pg_dump or pg_restore), S3Proxy, this script (raw pg_dump or pg_restore, psql, curl)
groups_secs() {
  awk -v a="$GROUPS_A" -v b="$(cpu_groups)" -v hz="$HZ" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= 5; i++) printf "%s%.2f", (i > 1 ? "\t" : ""), (y[i] - x[i]) / hz }'
}
cpu_text() { # the five group seconds (tab- or space-separated) -> one phrase
  awk -v child="$SVC_CHILD" -v script="$SCRIPT_TOOLS" '{ printf "postgres %.1f, Lifeboat JVM %.1f, its %s %.1f, S3Proxy %.1f, script (%s) %.1f CPU-s", $1, $2, child, $3, $4, script, $5 }' <<< "$1"
}

# ---- the record of every measurement, and its medians ------------------------------------------------------
# runs.tsv columns: 1 label (s<scale>, text, drill) 2 kind (raw, zstd, gzip, restore, drill) 3 attempt
# 4 clean (1: uncontended) 5 seconds (client side) 6 job seconds (startedAt -> finishedAt) 7 stored bytes
# (raw: the file) 8 archive bytes 9-12 millis preflight dump commitAndReadBack finish 13 fixed millis
# (9 + 11 + 12) 14 seconds outside the job (5 - 6) 15-19 CPU-s postgres jvm children s3proxy script
# 20 restoreSeconds 21 other cores 22 machine busy cores
printf 'label\tkind\tattempt\tclean\tsecs\tjob_secs\tstored_bytes\tarchive_bytes\tpreflight_ms\tdump_ms\tcommit_readback_ms\tfinish_ms\tfixed_ms\toutside_job_s\tcpu_pg\tcpu_jvm\tcpu_child\tcpu_s3proxy\tcpu_script\trestore_s\tother_cores\tbusy_cores\n' > "$RUNS_TSV"
record() { # label kind attempt clean secs jobsecs stored archive "millis4" "cpu5" restoreSeconds other busy
  local m fixed=- outside=-
  read -r -a m <<< "$9"
  [ "${#m[@]}" = 4 ] || m=(- - - -)
  [ "${m[0]}" = - ] || fixed=$((m[0] + m[2] + m[3]))
  [ "$6" = - ] || outside=$(awk -v a="$5" -v b="$6" 'BEGIN { printf "%.2f", a - b }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
    "${m[0]}" "${m[1]}" "${m[2]}" "${m[3]}" "$fixed" "$outside" "${10}" "${11}" "${12}" "${13}" >> "$RUNS_TSV"
}
# vals label kind column: the column's values of the uncontended runs (of all runs if none was)
vals() {
  awk -F'\t' -v l="$1" -v k="$2" -v c="$3" 'NR > 1 && $1 == l && $2 == k && $c != "-" {
      all = all " " $c; if ($4 == 1) clean = clean " " $c }
    END { print (clean != "" ? clean : all) }' "$RUNS_TSV"
}
med() { vals "$@" | median; }
# label kindA kindB column -> the median over the runs (uncontended ones, if any) of A / B within each
# run: pairs run back to back, so this cancels the machine's drift between pairs.
pair_med() {
  awk -F'\t' -v l="$1" -v a="$2" -v b="$3" -v c="$4" 'NR > 1 && $1 == l && $c != "-" {
      if ($2 == a) A[$3] = $c; if ($2 == b) B[$3] = $c; clean[$3] = $4 }
    END { for (k in A) if ((k in B) && B[k] > 0) { r = A[k] / B[k]; all = all " " r; if (clean[k] == 1) cl = cl " " r }
          print (cl != "" ? cl : all) }' "$RUNS_TSV" | median | awk '{ printf "%.2f", $1 }'
}
bestv() { vals "$@" | best; }
med_cpu() { # label kind -> the five median group seconds, tab-separated
  local c out=
  for c in 15 16 17 18 19; do out+="${out:+	}$(med "$1" "$2" "$c")"; done
  echo "$out"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# The service's Java heap, to tell its share of the RSS (jcmd attaches to the JVM: untimed, after a part):
# "committed <MiB>, used <MiB>" from GC.heap_info
heap_info() {
  jcmd "$SVC_PID" GC.heap_info 2>/dev/null | awk '/ heap +total/ {
      for (i = 1; i <= NF; i++) { if ($i == "total") t = $(i + 1); if ($i == "used") u = $(i + 1) }
      gsub(/[K,]/, "", t); gsub(/[K,]/, "", u); printf "heap committed %.0f MiB, used %.0f MiB", t / 1024, u / 1024 }'
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }   # a <= b

# The stored object of a backup, as S3Proxy keeps it on disk: its SHA-256 against the catalog's, then
# decrypted (and decompressed) with the real age and zstd: the byte count against archiveBytes, and
# pg_restore -l of it. -> CHECK (a sentence)
CHECK=
check_object() { # backupId compression archiveBytes
  local obj want sha bytes entries dec=(cat)
  obj=$(find "$WORK/s3/bench" -type f -path "*/$1/dump.*" | head -1)
  [ -n "$obj" ] || die "no stored object of backup $1 under $WORK/s3/bench"
  head -c 21 "$obj" | grep -q 'age-encryption.org/v1' || die "$obj is not an age file"
  want=$(api "$API/api/v1/backups/$1" | jq -r .sha256)
  sha=$(sha256sum "$obj" | cut -d' ' -f1)
  [ "$sha" = "$want" ] || die "$obj has SHA-256 $sha, the catalog says $want"
  [ "$2" != zstd ] || dec=(zstd -dcq)
  bytes=$(age -d -i "$WORK/age-key.txt" "$obj" | "${dec[@]}" | wc -c)
  [ "$bytes" = "$3" ] || die "$obj decrypts$([ "$2" != zstd ] || echo " and decompresses") to $bytes bytes, the catalog's archiveBytes is $3"
  entries=$( (age -d -i "$WORK/age-key.txt" "$obj" | "${dec[@]}" | pg_restore -l 2>/dev/null || true) | grep -c ' TABLE DATA ' || true)
  [ "$entries" -gt 0 ] || die "pg_restore -l of $obj (decrypted) lists no TABLE DATA"
  CHECK="${obj#"$WORK/s3/bench/"}: SHA-256 as in the catalog; age -d$([ "$2" != zstd ] || echo " | zstd -d") gives $bytes bytes (= archiveBytes), pg_restore -l lists $entries TABLE DATA entries"
}

# ---- triples: raw, zstd, gzip ----------------------------------------------------------------------------
declare -A PEAK HWM DBSIZE LAST_ZSTD ZPEAK GPEAK
# measure_triples label database zstd_target gzip_target: RUNS uncontended triples (at most MAX_ATTEMPTS);
# every triple is reported, the figures use the uncontended ones (all of them if none was)
measure_triples() {
  local label=$1 db=$2 zt=$3 gt=$4 attempt=0 clean=0 contended=0 t0 t1 la0 ok line
  local r rsize rcpu ro rb z zj zsize zarch zms zcpu zo zb zid g gj gsize garch gms gcpu go gb gid tz0 tz1 tg1 zp gp
  DBSIZE[$label]=$(psql_q -d "$db" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')
  log "== $label ($db, ${DBSIZE[$label]}): $RUNS triples raw pg_dump -Fc / Lifeboat zstd ($zt) / Lifeboat gzip ($gt)"
  warm_db "$db"
  reset_hwm
  t0=$(now)
  while [ "$clean" -lt "$RUNS" ] && [ "$attempt" -lt "$MAX_ATTEMPTS" ]; do
    attempt=$((attempt + 1))
    wait_quiet
    la0=$(cut -d' ' -f1 /proc/loadavg)
    cpu_start; raw_dump "$db" "$label"; r=$SECS; rsize=$LAST_DUMP_BYTES
    read -r ro rb <<< "$(cpu_end)"; rcpu=$(groups_secs)
    tz0=$(now)
    cpu_start; lb_backup "$zt"; z=$SECS; zid=$BACKUP_ID; zms=$MILLIS; zsize=$(jq -r .result.sizeBytes "$LAST_JOB")
    read -r zo zb <<< "$(cpu_end)"; zcpu=$(groups_secs); zj=$(job_seconds "$LAST_JOB")
    tz1=$(now)
    cpu_start; lb_backup "$gt"; g=$SECS; gid=$BACKUP_ID; gms=$MILLIS; gsize=$(jq -r .result.sizeBytes "$LAST_JOB")
    read -r go gb <<< "$(cpu_end)"; gcpu=$(groups_secs); gj=$(job_seconds "$LAST_JOB")
    tg1=$(now)
    # each kind's own peak: the zstd backups' RSS is the target, gzip (larger objects, more S3 parts) is for reference
    zp=$(peak_rss_kb "$tz0" "$tz1"); gp=$(peak_rss_kb "$tz1" "$tg1")
    [ "${ZPEAK[$label]:-0}" -ge "$zp" ] || ZPEAK[$label]=$zp
    [ "${GPEAK[$label]:-0}" -ge "$gp" ] || GPEAK[$label]=$gp
    catalog_entry "$zid" zstd; zarch=$ARCHIVE_BYTES
    catalog_entry "$gid" gzip; garch=$ARCHIVE_BYTES
    ok=1
    awk -v a="$ro" -v b="$zo" -v c="$go" -v t="$BUSY" 'BEGIN { exit !(a > t || b > t || c > t) }' && ok=0
    if [ "$ok" = 1 ]; then clean=$((clean + 1)); else contended=$((contended + 1)); fi
    record "$label" raw "$attempt" "$ok" "$r" - "$rsize" - "" "$rcpu" - "$ro" "$rb"
    record "$label" zstd "$attempt" "$ok" "$z" "$zj" "$zsize" "$zarch" "$zms" "$zcpu" - "$zo" "$zb"
    record "$label" gzip "$attempt" "$ok" "$g" "$gj" "$gsize" "$garch" "$gms" "$gcpu" - "$go" "$gb"
    LAST_ZSTD[$label]=$zid
    line=$(printf '%s triple %d: raw %.2f s (%s bytes) | zstd %.2f s (job %s s, stored %s of %s archive bytes, ms %s) | gzip %.2f s (job %s s, stored %s of %s archive bytes, ms %s) | zstd/raw %s, gzip/raw %s | other CPU %s / %s / %s cores (machine busy %s / %s / %s), load %s' \
      "$label" "$attempt" "$r" "$rsize" "$z" "$zj" "$zsize" "$zarch" "${zms// //}" "$g" "$gj" "$gsize" "$garch" "${gms// //}" \
      "$(ratio "$z" "$r")" "$(ratio "$g" "$r")" "$ro" "$zo" "$go" "$rb" "$zb" "$gb" "$la0")
    [ "$ok" = 1 ] || line="$line  [CONTENDED: other CPU > $BUSY cores]"
    say "$line"
    say "$label triple $attempt CPU: raw: $(cpu_text "$rcpu") | zstd: $(cpu_text "$zcpu") | gzip: $(cpu_text "$gcpu")"
  done
  t1=$(now)
  PEAK[$label]=$(peak_rss_kb "$t0" "$t1")
  HWM[$label]=$(hwm_kb)
  KEPT_ALL[$label]=$([ "$clean" = 0 ] && echo 1 || echo 0)
  # the last stored objects: readable with the standard tools, as large as the catalog says
  check_object "$zid" zstd "$zarch"; say "$label zstd: $CHECK"
  check_object "$gid" gzip "$garch"; say "$label gzip: $CHECK"

  local rm_ zm gm
  rm_=$(med "$label" raw 5); zm=$(med "$label" zstd 5); gm=$(med "$label" gzip 5)
  say "$label: medians raw pg_dump -Fc ${rm_} s (best $(bestv "$label" raw 5)), Lifeboat zstd ${zm} s (best $(bestv "$label" zstd 5), job $(med "$label" zstd 6) s), Lifeboat gzip ${gm} s (best $(bestv "$label" gzip 5), job $(med "$label" gzip 6) s); zstd/raw $(ratio "$zm" "$rm_") (best/best $(ratio "$(bestv "$label" zstd 5)" "$(bestv "$label" raw 5)")), gzip/raw $(ratio "$gm" "$rm_"); figures from $([ "${KEPT_ALL[$label]}" = 0 ] && echo "$clean uncontended triple(s)" || echo "ALL $attempt triples, every one contended"), $contended contended triple(s) left out"
  say "$label sizes (medians): raw -Fc file $(med "$label" raw 7) bytes ($(mib "$(med "$label" raw 7)") MiB); zstd stored $(med "$label" zstd 7) bytes ($(mib "$(med "$label" zstd 7)") MiB) of a $(med "$label" zstd 8)-byte archive (zstd ratio $(ratio "$(med "$label" zstd 8)" "$(med "$label" zstd 7)")x); gzip stored $(med "$label" gzip 7) bytes ($(mib "$(med "$label" gzip 7)") MiB); stored zstd / raw file $(ratio "$(med "$label" zstd 7)" "$(med "$label" raw 7)"), gzip / raw file $(ratio "$(med "$label" gzip 7)" "$(med "$label" raw 7)")"
  for k in zstd gzip; do
    say "$label $k job timing (medians, ms): preflight $(med "$label" $k 9), dump $(med "$label" $k 10), commitAndReadBack $(med "$label" $k 11), finish $(med "$label" $k 12); fixed costs (preflight + commitAndReadBack + finish) $(med "$label" $k 13) ms; POST -> terminal minus the job's startedAt -> finishedAt $(med "$label" $k 14) s (queue pickup, completion, polling)"
  done
  say "$label CPU (medians): raw: $(cpu_text "$(med_cpu "$label" raw)") | zstd: $(cpu_text "$(med_cpu "$label" zstd)") | gzip: $(cpu_text "$(med_cpu "$label" gzip)")"
  say "$label: Lifeboat peak RSS $(mb "${PEAK[$label]}") MiB (VmHWM $(mb "${HWM[$label]}") MiB) over these triples (during the zstd backups $(mb "${ZPEAK[$label]}") MiB, the gzip ones $(mb "${GPEAK[$label]}") MiB); now $(awk '/^(RssAnon|RssFile):/ { printf "%s %.0f MiB ", $1, $2 / 1024 }' "/proc/$SVC_PID/status")and $(heap_info)"
}

# ---- the drill: raw createdb + pg_restore of the raw -Fc file, then a drill of the zstd backup ------------
measure_drill() { # scale
  local label=drill s=$1 attempt=0 clean=0 contended=0
  local bid=${LAST_ZSTD[s$s]} file=$WORK/raw_s$s.dump
  local r ro rb rcpu d do_ db_ dcpu j rs ok line drops=()
  SVC_CHILD=pg_restore SCRIPT_TOOLS="raw pg_restore, psql, curl"
  [ -s "$file" ] || die "no raw dump $file to restore"
  log "== drill of s$s's zstd backup $bid: $RUNS pairs createdb + pg_restore of the raw -Fc file / drill"
  reset_hwm
  local t0 t1; t0=$(now)
  while [ "$clean" -lt "$RUNS" ] && [ "$attempt" -lt "$MAX_ATTEMPTS" ]; do
    attempt=$((attempt + 1))
    wait_quiet
    la0=$(cut -d' ' -f1 /proc/loadavg)
    checkpoint; cpu_start; raw_restore "$file"; r=$SECS; read -r ro rb <<< "$(cpu_end)"; rcpu=$(groups_secs)
    drops+=("$DROP_SECS")
    checkpoint; cpu_start; drill_run "s$s" "$bid"; d=$SECS; read -r do_ db_ <<< "$(cpu_end)"; dcpu=$(groups_secs)
    j=$(job_seconds "$LAST_JOB"); rs=$(jq -r '.result.restoreSeconds // "-"' "$LAST_JOB")
    ok=1 line=
    if awk -v a="$ro" -v b="$do_" -v t="$BUSY" 'BEGIN { exit !(a > t || b > t) }'; then
      ok=0 line="  [CONTENDED: other CPU > $BUSY cores]"
    elif [ "$LOG_NOTES" != 0 ]; then
      ok=0 line="  [CONTENDED: another Lifeboat's lifeboat_drill_* databases were present]"
    fi
    if [ "$ok" = 1 ]; then clean=$((clean + 1)); else contended=$((contended + 1)); fi
    record "$label" restore "$attempt" "$ok" "$r" - - - "" "$rcpu" - "$ro" "$rb"
    record "$label" drill "$attempt" "$ok" "$d" "$j" - - "" "$dcpu" "$rs" "$do_" "$db_"
    say "$(printf 'drill pair %d: createdb + pg_restore %.2f s (+ DROP %s s, untimed) | drill %.2f s (job %s s, restoreSeconds %s) | ratio %s | other CPU %s / %s cores (machine busy %s / %s), load %s%s' \
      "$attempt" "$r" "$DROP_SECS" "$d" "$j" "$rs" "$(ratio "$d" "$r")" "$ro" "$do_" "$rb" "$db_" "$la0" "$line")"
    say "drill pair $attempt CPU: raw: $(cpu_text "$rcpu") | drill: $(cpu_text "$dcpu")"
  done
  KEPT_ALL[drill]=$([ "$clean" = 0 ] && echo 1 || echo 0)
  # one more drill, polled every 0.1 s (not in the figures): when its pg_restore child ran
  checkpoint
  drill_run "s$s" "$bid" sample
  t1=$(now)
  PEAK[drill]=$(peak_rss_kb "$t0" "$t1"); HWM[drill]=$(hwm_kb)
  local rm_ dm jm rsm
  rm_=$(med drill restore 5); dm=$(med drill drill 5); jm=$(med drill drill 6); rsm=$(med drill drill 20)
  say "drill: medians createdb + pg_restore (raw -Fc file, $(stat -c %s "$file") bytes) ${rm_} s (best $(bestv drill restore 5)), drill ${dm} s (best $(bestv drill drill 5)), ratio $(ratio "$dm" "$rm_") (median of the pairs' own ratios $(pair_med drill drill restore 5), best/best $(ratio "$(bestv drill drill 5)" "$(bestv drill restore 5)")); DROP of the raw database median $(echo "${drops[*]}" | median) s (not timed); figures from $([ "${KEPT_ALL[drill]}" = 0 ] && echo "$clean uncontended pair(s)" || echo "ALL $attempt pairs, every one contended"), $contended contended pair(s) left out"
  say "drill job timing (medians): restoreSeconds $rsm s (CREATE DATABASE -> pg_restore's exit: S3 GET -> age -> zstd -d -> pg_restore), the job's other $(awk -v j="$jm" -v r="$rsm" 'BEGIN { printf "%.2f", j - r }') s (before: copy check = full GET + SHA-256, manifest, key probe, scratch sweep; after: exact row and schema counts, DROP DATABASE, verdict), outside the job $(med drill drill 14) s (queue pickup, completion, polling)"
  say "drill polled every 0.1 s (not in the figures): $SECS s; its pg_restore ran from ${CHILD_START:-?} to ${CHILD_END:-?} s after the POST: before it $(awk -v a="${CHILD_START:-0}" 'BEGIN { printf "%.2f", a }') s, pg_restore $(awk -v a="${CHILD_START:-0}" -v b="${CHILD_END:-0}" 'BEGIN { printf "%.2f", b - a }') s, after it $(awk -v b="${CHILD_END:-0}" -v c="$SECS" 'BEGIN { printf "%.2f", c - b }') s; restoreSeconds $(jq -r .result.restoreSeconds "$LAST_JOB"); progress phases as stored (with the heartbeat, up to ~1 s late) $PHASES"
  say "drill CPU (medians): raw: $(cpu_text "$(med_cpu drill restore)") | drill: $(cpu_text "$(med_cpu drill drill)")"
  say "drill: Lifeboat peak RSS $(mb "${PEAK[drill]}") MiB (VmHWM $(mb "${HWM[drill]}") MiB); now $(awk '/^(RssAnon|RssFile):/ { printf "%s %.0f MiB ", $1, $2 / 1024 }' "/proc/$SVC_PID/status")and $(heap_info)"
  SVC_CHILD=pg_dump SCRIPT_TOOLS="raw pg_dump, psql, curl"
}

# ---- the measurement -----------------------------------------------------------------------------------
log_machine
REPORT=$WORK/report.txt
: > "$REPORT"
declare -A KEPT_ALL
say "compression bench $(date -u +%FT%TZ): $NCPU CPUs, PostgreSQL $PG_VERSION, $(pg_dump --version), $(zstd --version | head -1), Lifeboat $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') with -Xmx$XMX (zstd at the defaults: level 2, threads = the JVM's $NCPU cores); load average $(cut -d' ' -f1-3 /proc/loadavg)"
# The JVM's heap sizing and how much of the heap is committed, to tell the heap's share of the RSS from
# the rest (metaspace, code, threads, GC structures, direct buffers, zstd-jni's native memory, malloc).
say "Lifeboat JVM: $(jcmd "$SVC_PID" VM.flags 2>/dev/null | tr ' ' '\n' | grep -E '^-XX:(InitialHeapSize|MaxHeapSize|\+Use[A-Za-z0-9]*GC)' | tr '\n' ' ')idle RSS $(mb "$IDLE_RSS_KB") MiB, $(heap_info)"
# warm-up (JIT, connection pools, S3 client, zstd-jni): a backup of bench_s1 each way and a drill, not measured
lb_backup w; wid=$BACKUP_ID; lb_backup wgz
[ "$DRILL" = 0 ] || drill_run w "$wid"
log "warm-up done"

for s in "${SORTED[@]}"; do measure_triples "s$s" "bench_s$s" "s$s" "s${s}gz"; done
[ "$TEXT" = 0 ] || measure_triples text "$TEXT_DB" text textgz
[ "$DRILL" = 0 ] || measure_drill "$SMALL"
log_after
say "Lifeboat idle RSS after start-up $(mb "$IDLE_RSS_KB") MiB; load average after $(cut -d' ' -f1-3 /proc/loadavg); every measurement in $RUNS_TSV"

# ---- targets and summary -------------------------------------------------------------------------------
verdict() { if le "$1" "$2"; then echo met; else echo "$3"; fi; }   # value limit word-if-not
parts=() targets=()
size_ok=met rss_ok=met max_peak=0
for s in "${SORTED[@]}"; do
  l=s$s
  rm_=$(med "$l" raw 5); zm=$(med "$l" zstd 5); gm=$(med "$l" gzip 5)
  zr=$(ratio "$zm" "$rm_"); sr=$(ratio "$(med "$l" zstd 7)" "$(med "$l" raw 7)")
  fixed=$(awk -v m="$(med "$l" zstd 13)" 'BEGIN { printf "%.2f", m / 1000 }')
  if [ "$s" = "$LARGE" ] && { [ "$SMALL" != "$LARGE" ] || [ "$s" -ge 300 ]; }; then lim=0.85 aim=0.80; else lim=0.90 aim=0.85; fi
  targets+=("$l zstd/raw $zr <= $lim $(verdict "$zr" "$lim" MISSED) (aim $aim $(verdict "$zr" "$aim" missed))")
  [ "$(verdict "$sr" 0.5 x)" = met ] || size_ok=MISSED
  [ "$(verdict "$(mb "${ZPEAK[$l]}")" 320 x)" = met ] || rss_ok=MISSED
  [ "${ZPEAK[$l]}" -le "$max_peak" ] || max_peak=${ZPEAK[$l]}
  parts+=("$l (${DBSIZE[$l]}) zstd $zm s / gzip $gm s / pg_dump $rm_ s = $zr / $(ratio "$gm" "$rm_"), stored $(mib "$(med "$l" zstd 7)") MiB = $sr of the -Fc file ($(mib "$(med "$l" raw 7)") MiB; gzip $(mib "$(med "$l" gzip 7)") MiB), fixed $fixed s, peak RSS zstd $(mb "${ZPEAK[$l]}") MiB (gzip $(mb "${GPEAK[$l]}"), whole triples $(mb "${PEAK[$l]}") MiB)$([ "${KEPT_ALL[$l]}" = 0 ] || echo ", all triples CONTENDED")")
  [ "$s" != "$SMALL" ] || fixed_target="s$SMALL fixed costs $fixed s <= 0.3 $(verdict "$fixed" 0.3 MISSED)"
done
targets+=("stored <= 0.5x the -Fc file $size_ok")
if [ "$SMALL" = "$LARGE" ]; then
  targets+=("RSS flat: one scale only")
else
  growth=$(awk -v a="${ZPEAK[s$SMALL]}" -v b="${ZPEAK[s$LARGE]}" 'BEGIN { printf "%+.0f", (b - a) / 1024 }')
  flat_ok=$(awk -v a="${ZPEAK[s$SMALL]}" -v b="${ZPEAK[s$LARGE]}" 'BEGIN { print (b <= a * 1.10) ? "met" : "MISSED" }')
  targets+=("zstd peak RSS flat s$SMALL->s$LARGE ($growth MiB, <= +10%) $flat_ok")
fi
targets+=("zstd peak RSS of the scales $(mb "$max_peak") MiB <= 320 MiB $rss_ok" "$fixed_target")
if [ "$TEXT" = 1 ]; then
  rm_=$(med text raw 5); zm=$(med text zstd 5); gm=$(med text gzip 5)
  zr=$(ratio "$zm" "$rm_"); sr=$(ratio "$(med text zstd 7)" "$(med text raw 7)")
  parts+=("text (${DBSIZE[text]}) zstd $zm s / gzip $gm s / pg_dump $rm_ s = $zr / $(ratio "$gm" "$rm_"), stored $(mib "$(med text zstd 7)") MiB = $sr of the -Fc file ($(mib "$(med text raw 7)") MiB; gzip $(mib "$(med text gzip 7)") MiB), peak RSS $(mb "${PEAK[text]}") MiB$([ "${KEPT_ALL[text]}" = 0 ] || echo ", all triples CONTENDED")")
  targets+=("text zstd/raw $zr <= 0.95 $(verdict "$zr" 0.95 MISSED)" "text stored/-Fc $sr <= 1 $(verdict "$sr" 1 MISSED)")
fi
if [ "$DRILL" = 1 ]; then
  rm_=$(med drill restore 5); dm=$(med drill drill 5); dr=$(ratio "$dm" "$rm_")
  parts+=("drill s$SMALL zstd $dm s vs createdb + pg_restore $rm_ s = ratio $dr (median of the pairs' ratios $(pair_med drill drill restore 5); restoreSeconds $(med drill drill 20)), peak RSS $(mb "${PEAK[drill]}") MiB$([ "${KEPT_ALL[drill]}" = 0 ] || echo ", all pairs CONTENDED")")
  targets+=("drill/raw $dr <= 1.00 $(verdict "$dr" 1.00 MISSED) (aim 0.95 $(verdict "$dr" 0.95 missed))")
fi
summary="compression bench: $(IFS='#'; echo "${parts[*]}" | sed 's/#/; /g'); -Xmx$XMX, medians of the uncontended runs (--runs $RUNS) [targets: $(IFS='#'; echo "${targets[*]}" | sed 's/#/, /g')]"
finish_report compression "$summary"
