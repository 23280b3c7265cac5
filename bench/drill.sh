#!/usr/bin/env bash
# Drill benchmark: a Lifeboat restore drill (POST /api/v1/drills -> job: stored copy fetched from a local
# S3Proxy and checked (size, SHA-256), age-decrypted, streamed into pg_restore into a scratch database,
# exact row counts compared, scratch database dropped) against a raw CREATE DATABASE + pg_restore of the
# very same archive, on pgbench databases. Then the same with parallelism: a directory-format backup
# drilled with pg_restore -Fd -j N against raw pg_restore -Fd -j N of the same directory. Prints the time
# ratios (drill / raw, medians) and the service's peak RSS per scale. The LAST line printed is the
# summary; it is also written to target/bench/drill.txt. See bench/README.md, "Drill benchmark".
#
# Usage: bench/drill.sh [--scales 100] [--runs 3] [--jobs 2] [--xmx 256m] [--no-build] [--jar path]
#                       [--busy 0.25] [--no-parallel] [--no-diagnose] [--keep-archives]
#   --scales     pgbench scale factors, comma-separated (one database bench_s<scale> each, created
#                with `pgbench -i -s <scale>` once and reused while its row count is right)
#   --runs       uncontended pairs per scale and format (raw, drill, raw, drill, ...); median and best
#   --max-attempts  pairs per scale and format at most, contended ones included (default 3 x --runs)
#   --jobs       pg_restore jobs of the parallel part (directory format), default 2
#   --no-parallel  skip the parallel (directory format) part
#   --xmx        the service's -Xmx
#   --no-build   use the existing target/quarkus-app instead of running ./mvnw package
#   --jar        run this Lifeboat build instead (implies --no-build)
#   --no-diagnose  skip the "where the time goes" runs (fetch, SHA-256, age -d, row counts, drop, a
#                drill sampled for its phases)
#   --busy       CPU of other processes (cores, averaged over a run) above which a pair counts as
#                contended: reported, left out of the figures, and another pair is run
#   --keep-archives  keep the decrypted archives in target/bench-drill/ (deleted on exit otherwise)
#
# Everything it creates lives in target/bench-drill/ (S3Proxy's files, keys, archives, logs) and in the
# local PostgreSQL: databases bench_s<scale> (shared with bench/backup.sh), bench_s1 (warm-up),
# bench_drill_raw (the raw restores, dropped after each), lifeboat_bench_drill (the service's own,
# recreated each run) and the role bench_drill (the targets' role: LOGIN CREATEDB, pg_read_all_data, not
# a superuser); the drills' scratch databases lifeboat_drill_<job> are made and dropped by Lifeboat.
# It starts S3Proxy and Lifeboat itself and stops both on exit. The set-up it shares with bench/backup.sh
# is in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100 RUNS=3 MAX_ATTEMPTS= DIAG_RUNS=${BENCH_DIAG_RUNS:-2} XMX=256m BUILD=1 DIAGNOSE=1 BUSY=0.25 KEEP=0
PAR_JOBS=2 PARALLEL=1 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) PAR_JOBS=$2; shift 2 ;;
    --jobs=*) PAR_JOBS=${1#*=}; shift ;;
    --no-parallel) PARALLEL=0; shift ;;
    --keep-archives) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) common_arg "$@" || { echo "unknown argument: $1 (see --help)" >&2; exit 2; }; shift "$ARG_SHIFT" ;;
  esac
done
check_scales_runs
[[ $PAR_JOBS =~ ^[1-9][0-9]?$ ]] && [ "$PAR_JOBS" -le 64 ] || { echo "bad --jobs '$PAR_JOBS' (1-64)" >&2; exit 2; }
[[ $BUSY =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bad --busy '$BUSY'" >&2; exit 2; }
[[ $MAX_ATTEMPTS =~ ^[1-9][0-9]*$ ]] || { echo "bad --max-attempts '$MAX_ATTEMPTS'" >&2; exit 2; }
case "$JAR" in /*) ;; *) JAR=$ROOT/$JAR ;; esac

for tool in psql pg_restore pgbench age age-keygen jq curl python3 java tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/pg-setup.sh test installs PostgreSQL, age and jq)"
done

WORK=$ROOT/target/bench-drill
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
RAW_DB=bench_drill_raw          # raw restores go here; dropped after each
TROLE=bench_drill               # the targets' role (and the raw restores')
# the databases whose backends count as the benchmark's; lifeboat_drill_* may also be another Lifeboat's
# scratch database (counted as ours)
OUR_DBS=('bench_*' lifeboat_bench_drill 'lifeboat_drill_*')
SVC_CHILD=pg_restore SCRIPT_TOOLS="raw pg_restore, psql, curl"

# ---- on exit (bench/lib.sh's cleanup stops S3Proxy, Lifeboat and the sampler first): databases we leave
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
  rm -rf "$WORK/scratch" "$WORK/diag-restore"
  [ "$KEEP" = 1 ] || rm -rf "$WORK"/plain_s*.dump "$WORK"/plain_s*_dir
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: the test superuser (set-up, CHECKPOINT) and the targets' role ---------------------------
target_role "$TROLE"   # see bench/lib.sh
PG_READY=1

for s in 1 "${SCALE_LIST[@]}"; do ensure_db "$s"; done   # bench_s1: the warm-up
# A restore needs room for a second copy of the database (the drill's scratch one, or the raw one).
max_scale=$(printf '%s\n' "${SCALE_LIST[@]}" | sort -n | tail -1)
need_mb=$((max_scale * 16 * 3 / 2 + 2048))
avail_mb=$(pg_free_mb)
[ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
  || die "restoring bench_s$max_scale needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free"

# ---- keys and token; S3Proxy, filesystem backend under target/bench-drill/s3 -----------------------------
make_keys
# curl's config for reading objects straight from S3Proxy (diagnosis): the secret stays off argv
(umask 077; printf 'user = "%s:%s"\n' "$S3_ID" "$(cat "$WORK/s3-secret")" > "$WORK/s3-curl.cfg")
start_s3proxy

# ---- Lifeboat (its own database lifeboat_bench_drill, an operator token), then the RSS sampler -----------
target_props=()
add_target() { # name scale format jobs
  local t=$1
  target_props+=(-Dlifeboat.targets.$t.host=127.0.0.1 -Dlifeboat.targets.$t.port="$PGPORT"
    -Dlifeboat.targets.$t.database="bench_s$2" -Dlifeboat.targets.$t.username="$TROLE"
    -Dlifeboat.targets.$t.password-file="$WORK/target-password" -Dlifeboat.targets.$t.storage=s3
    -Dlifeboat.targets.$t.format="$3" -Dlifeboat.targets.$t.jobs="$4")
}
add_target w 1 custom 1            # warm-up
add_target wd 1 directory "$PAR_JOBS"
for s in "${SCALE_LIST[@]}"; do
  add_target "s$s" "$s" custom 1                # s<scale>: the custom-format part
  add_target "s${s}d" "$s" directory "$PAR_JOBS" # s<scale>d: the parallel part
done
rm -rf "$WORK/scratch" && mkdir -p "$WORK/scratch"
start_lifeboat lifeboat_bench_drill operator \
  -Dlifeboat.encryption.identity-file="$WORK/age-key.txt" \
  -Dlifeboat.backup.scratch-dir="$WORK/scratch" \
  "${target_props[@]}"
start_rss_sampler

# Scratch databases lifeboat_drill_* that are not ours belong to another Lifeboat's drill (a test suite
# on the same server): each of our drills would try to drop them first (and, as our role does not own
# them, retry for ~6 s), and they would find ours. Wait (up to QUIET_WAIT s) until there are none.
# Returns 1 if some were still there.
foreign_scratch() {
  psql_q -d postgres -c "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database
    WHERE datname LIKE 'lifeboat\\_drill\\_%' AND datdba <> (SELECT oid FROM pg_roles WHERE rolname = '$TROLE')"
}
wait_no_foreign_scratch() {
  local start found
  start=$(now)
  while found=$(foreign_scratch); [ -n "$found" ]; do
    if [ "$(elapsed "$start" "$(now)" | cut -d. -f1)" -ge "$QUIET_WAIT" ]; then
      log "another Lifeboat's scratch databases still exist after $QUIET_WAIT s ($found): measuring anyway (drop them by hand if they are stale)"
      return 1
    fi
    sleep 1
  done
  return 0
}

# ---- one measurement of each kind --------------------------------------------------------------------
# (They set globals instead of printing, so that they run in this shell: pg_restore's CPU time lands in
# this script's cutime, and a failure stops the script.)
DROP_SECS= LOG_NOTES=
checkpoint() { psql_q -d postgres -c CHECKPOINT >/dev/null; }   # untimed, before each run
drop_raw_db() { psql_q -d postgres -c "DROP DATABASE IF EXISTS $RAW_DB WITH (FORCE)"; }
create_raw_db() { PGUSER=$TROLE psql_q -d postgres -c "CREATE DATABASE $RAW_DB"; }
raw_run() { # custom|directory scale -> SECS (CREATE DATABASE + pg_restore), DROP_SECS; the database is dropped
  local t0 t1 t2 src
  drop_raw_db
  if [ "$1" = custom ]; then src=(-Fc "$WORK/plain_s$2.dump"); else src=(-Fd -j "$PAR_JOBS" "$WORK/plain_s$2_dir"); fi
  t0=$(now)
  create_raw_db
  PGUSER=$TROLE pg_restore --no-owner --no-privileges --exit-on-error -d "$RAW_DB" "${src[@]}"
  t1=$(now)
  drop_raw_db
  t2=$(now)
  SECS=$(elapsed "$t0" "$t1"); DROP_SECS=$(elapsed "$t1" "$t2")
}
count_rows() { # db: what the drill's row counting does (count(*) of every ordinary user table, the server's parallel workers allowed)
  PGUSER=$TROLE psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
SET jit = off;
SELECT format('SELECT count(*) FROM ONLY %s', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
\gexec
SQL
}
# job_run (bench/lib.sh) calls this as soon as it knows the job id: the scratch database of a drill job,
# for cleanup_more should the service not drop it
job_posted() {
  [ "$1" != /api/v1/drills ] || OUR_SCRATCH+=("lifeboat_drill_$(printf %s "${JOB_ID//-/}" | cut -c1-16)")
}
backup_run() { # target -> BACKUP_ID
  job_run /api/v1/backups "{\"target\":\"$1\"}"
  BACKUP_ID=$(jq -r .result.backupId "$LAST_JOB")
  log "backup of $1: $BACKUP_ID, $(jq -r .result.sizeBytes "$LAST_JOB") bytes, $SECS s"
}
drill_run() { # target backupId [sample] -> SECS, LAST_JOB, LOG_NOTES
  local lines0 foreign=
  wait_no_foreign_scratch || foreign=1
  lines0=$(wc -l < "$WORK/lifeboat.log")
  job_run /api/v1/drills "{\"target\":\"$1\",\"backupId\":\"$2\"}" "${3:-}"
  if [ "$(jq -r .result.passed "$LAST_JOB")" != true ]; then
    jq .result "$LAST_JOB" >&2
    die "the drill of $1 backup $2 did not pass: $(jq -r .result.reason "$LAST_JOB") (did another Lifeboat on this server drop lifeboat_drill_${JOB_ID//-/}?)"
  fi
  # the drill's sweep of other scratch databases costs time: note it, and count the pair as contended
  LOG_NOTES=$(tail -n +"$((lines0 + 1))" "$WORK/lifeboat.log" | grep -c -E 'dropping lifeboat_drill_|could not drop the (drill )?database lifeboat_drill_' || true)
  [ -z "$foreign" ] || LOG_NOTES=$((LOG_NOTES + 1))
}

# The stored object of a backup, as S3Proxy keeps it on disk, checked against the catalog's SHA-256.
OBJ= OBJ_KEY=
stored_object() { # backupId -> OBJ (file), OBJ_KEY (bucket key)
  local sha want
  OBJ=$(find "$WORK/s3/bench" -type f -path "*/$1/dump.*" | head -1)
  [ -n "$OBJ" ] || die "no stored object of backup $1 under $WORK/s3/bench"
  OBJ_KEY=${OBJ#"$WORK/s3/bench/"}
  head -c 21 "$OBJ" | grep -q 'age-encryption.org/v1' || die "$OBJ is not an age file"
  want=$(api "$API/api/v1/backups/$1" | jq -r .sha256)
  sha=$(sha256sum "$OBJ" | cut -d' ' -f1)
  [ "$sha" = "$want" ] || die "$OBJ has SHA-256 $sha, the catalog says $want"
}
s3_get() { # key: the object's bytes, read with S3 SigV4 (curl 7.88 needs the payload hash header for S3)
  curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3" -K "$WORK/s3-curl.cfg" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    "http://127.0.0.1:$S3_PORT/bench/$1"
}

# ---- the measurement -----------------------------------------------------------------------------------
log_machine
# warm-up (JIT, connection pools, S3 client): a backup and a drill of bench_s1 in each format, not measured
backup_run w; drill_run w "$BACKUP_ID"
if [ "$PARALLEL" = 1 ]; then backup_run wd; drill_run wd "$BACKUP_ID"; fi
log "warm-up drills done"

REPORT=$WORK/report.txt
: > "$REPORT"
summary_parts=() ratios=()
FORMATS=(custom)
[ "$PARALLEL" = 0 ] || FORMATS+=(directory)
for s in "${SCALE_LIST[@]}"; do
  db=bench_s$s
  dbsize=$(psql_q -d "$db" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')
  reset_hwm
  scale_t0=$(now)
  parts=()
  for fmt in "${FORMATS[@]}"; do
    if [ "$fmt" = custom ]; then t=s$s label="custom" rawlabel="pg_restore"
    else t=s${s}d label="directory -j$PAR_JOBS" rawlabel="pg_restore -Fd -j$PAR_JOBS"; fi
    # ONE backup, then the plain archive: the real age -d (and zstd -d, for a zstd backup) of the stored
    # object, so raw and drill restore literally the same archive
    backup_run "$t"; bid=$BACKUP_ID
    objsize=$(jq -r .result.sizeBytes "$LAST_JOB")
    stored_object "$bid"
    if [[ $OBJ_KEY == *.zst.age ]]; then unzstd=(zstd -d -q -c); else unzstd=(cat); fi
    if [ "$fmt" = custom ]; then
      age -d -i "$WORK/age-key.txt" "$OBJ" | "${unzstd[@]}" > "$WORK/plain_s$s.dump"
      entries=$(pg_restore -l "$WORK/plain_s$s.dump" | grep -c ' TABLE DATA ' || true)
      say "scale $s $label: backup $bid, stored object ${OBJ_KEY} ($objsize bytes, SHA-256 as in the catalog); age -d gives a $(stat -c %s "$WORK/plain_s$s.dump")-byte archive, $entries TABLE DATA entries"
    else
      rm -rf "$WORK/plain_s${s}_dir" && mkdir -p "$WORK/plain_s${s}_dir"
      age -d -i "$WORK/age-key.txt" "$OBJ" | "${unzstd[@]}" | tar --warning=no-unknown-keyword -x -C "$WORK/plain_s${s}_dir"
      nested=$(find "$WORK/plain_s${s}_dir" -mindepth 2 | wc -l)
      [ -f "$WORK/plain_s${s}_dir/toc.dat" ] && [ "$nested" = 0 ] || die "the decrypted tar is not a flat pg_dump directory"
      entries=$(pg_restore -l -Fd "$WORK/plain_s${s}_dir" | grep -c ' TABLE DATA ' || true)
      say "scale $s $label: backup $bid, stored object ${OBJ_KEY} ($objsize bytes, SHA-256 as in the catalog); age -d | tar -x gives $(find "$WORK/plain_s${s}_dir" -type f | wc -l) files, $(du -sb "$WORK/plain_s${s}_dir" | cut -f1) bytes, $entries TABLE DATA entries"
    fi
    log "== scale $s ($db, $dbsize), $label: $RUNS pairs raw / drill"
    attempt=0 clean=0 contended=0
    raws=() drills=() jobs=() rsecs=() all_r=() all_d=() all_j=() all_rs=() drops=()
    while [ "$clean" -lt "$RUNS" ] && [ "$attempt" -lt "$MAX_ATTEMPTS" ]; do
      attempt=$((attempt + 1))
      wait_quiet
      la0=$(cut -d' ' -f1 /proc/loadavg)
      checkpoint; cpu_start; raw_run "$fmt" "$s"; r=$SECS; read -r ro rb <<< "$(cpu_end)"; rcpu=$(groups_end)
      drops+=("$DROP_SECS")
      checkpoint; cpu_start; drill_run "$t" "$bid"; d=$SECS; read -r do_ db_ <<< "$(cpu_end)"; dcpu=$(groups_end)
      j=$(job_seconds "$LAST_JOB"); rs=$(jq -r '.result.restoreSeconds // "?"' "$LAST_JOB")
      line=$(printf 'scale %s %s pair %d: raw %6.2f s (+ DROP %s s, untimed) | drill %6.2f s (job %s s, restoreSeconds %s) | ratio %s | other CPU %s / %s cores (machine busy %s / %s), load %s' \
        "$s" "$label" "$attempt" "$r" "$DROP_SECS" "$d" "$j" "$rs" "$(ratio "$d" "$r")" "$ro" "$do_" "$rb" "$db_" "$la0")
      all_r+=("$r"); all_d+=("$d"); all_j+=("$j"); all_rs+=("$rs")
      if awk -v a="$ro" -v b="$do_" -v t="$BUSY" 'BEGIN { exit !(a > t || b > t) }'; then
        line="$line  [CONTENDED: other CPU > $BUSY cores]"; contended=$((contended + 1))
      elif [ "$LOG_NOTES" != 0 ]; then
        line="$line  [CONTENDED: another Lifeboat's lifeboat_drill_* databases were present]"; contended=$((contended + 1))
      else
        clean=$((clean + 1)); raws+=("$r"); drills+=("$d"); jobs+=("$j"); rsecs+=("$rs")
      fi
      say "$line"
      say "scale $s $label pair $attempt CPU: raw: $rcpu | drill: $dcpu"
    done
    kept_all=0
    if [ "$clean" = 0 ]; then raws=("${all_r[@]}") drills=("${all_d[@]}") jobs=("${all_j[@]}") rsecs=("${all_rs[@]}"); kept_all=1; fi
    rmed=$(echo "${raws[*]}" | median); rbest=$(echo "${raws[*]}" | best)
    dmed=$(echo "${drills[*]}" | median); dbest=$(echo "${drills[*]}" | best)
    jmed=$(echo "${jobs[*]}" | median); rsmed=$(echo "${rsecs[*]}" | median)
    rat=$(ratio "$dmed" "$rmed"); ratios+=("$rat")
    say "scale $s $label: raw (CREATE DATABASE + $rawlabel) median $rmed s (best $rbest), drill median $dmed s (best $dbest, job $jmed s, restoreSeconds $rsmed s), ratio $rat (best/best $(ratio "$dbest" "$rbest")); DROP of the raw database median $(echo "${drops[*]}" | median) s (not timed); figures from $([ "$kept_all" = 0 ] && echo "${#raws[@]} uncontended pairs" || echo "ALL ${#raws[@]} pairs, every one contended"), $contended contended pair(s) left out"
    parts+=("$label: drill $dmed s vs $rawlabel $rmed s = ratio $rat (best/best $(ratio "$dbest" "$rbest"), restoreSeconds $rsmed)$([ "$kept_all" = 0 ] || echo ", all pairs CONTENDED")")

    if [ "$DIAGNOSE" = 1 ]; then
      # Where the drill's time goes, each step on its own, DIAG_RUNS times, the best reported.
      declare -A D=()
      for _ in $(seq "$DIAG_RUNS"); do
        wait_quiet
        t0=$(now); s3_get "$OBJ_KEY" > /dev/null; t1=$(now); D[get]+="$(elapsed "$t0" "$t1") "
        t0=$(now); s3_get "$OBJ_KEY" | sha256sum > /dev/null; t1=$(now); D[sha]+="$(elapsed "$t0" "$t1") "
        t0=$(now); s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" | "${unzstd[@]}" > /dev/null; t1=$(now); D[age]+="$(elapsed "$t0" "$t1") "
        drop_raw_db; checkpoint
        if [ "$fmt" = custom ]; then
          # the drill's restore step with the Go age and curl: S3 -> age -d -> pg_restore from stdin
          t0=$(now); create_raw_db
          s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" | "${unzstd[@]}" | PGUSER=$TROLE pg_restore --no-owner --no-privileges --exit-on-error -d "$RAW_DB"
          t1=$(now); D[pipe]+="$(elapsed "$t0" "$t1") "
        else
          # the drill's unpack step, then the restore of the unpacked directory
          rm -rf "$WORK/diag-restore" && mkdir -p "$WORK/diag-restore"
          t0=$(now); s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" | "${unzstd[@]}" | tar --warning=no-unknown-keyword -x -C "$WORK/diag-restore"; t1=$(now)
          D[untar]+="$(elapsed "$t0" "$t1") "
          t0=$(now); create_raw_db
          PGUSER=$TROLE pg_restore --no-owner --no-privileges --exit-on-error -d "$RAW_DB" -Fd -j "$PAR_JOBS" "$WORK/diag-restore"
          t1=$(now); D[pipe]+="$(elapsed "$t0" "$t1") "
          rm -rf "$WORK/diag-restore"
        fi
        # the drill's checks: exact counts right after the restore (the first reader of the restored rows
        # also sets their hint bits), then a second time; then the DROP
        t0=$(now); count_rows "$RAW_DB"; t1=$(now); D[cnt]+="$(elapsed "$t0" "$t1") "
        t0=$(now); count_rows "$RAW_DB"; t1=$(now); D[cnt2]+="$(elapsed "$t0" "$t1") "
        t0=$(now); drop_raw_db; t1=$(now); D[drop]+="$(elapsed "$t0" "$t1") "
        checkpoint
        drill_run "$t" "$bid" sample; D[drill]+="$SECS "
        say "scale $s $label diagnosis drill (polled every 0.1 s): $SECS s; its pg_restore ran from ${CHILD_START:-?} to ${CHILD_END:-?} s after the POST: before it $(awk -v a="${CHILD_START:-0}" 'BEGIN { printf "%.2f", a }') s (queue, copy check: GET + SHA-256, manifest, probe, CREATE DATABASE$([ "$fmt" = custom ] || echo ", download + age + unpack")), pg_restore $(awk -v a="${CHILD_START:-0}" -v b="${CHILD_END:-0}" 'BEGIN { printf "%.2f", b - a }') s, after it $(awk -v b="${CHILD_END:-0}" -v c="$SECS" 'BEGIN { printf "%.2f", c - b }') s (row and schema counts, DROP, job completion); restoreSeconds $(jq -r .result.restoreSeconds "$LAST_JOB"); progress phases as stored (with the heartbeat, up to ~1 s late) $PHASES"
      done
      if [ "$fmt" = custom ]; then
        step="S3 -> age -d -> pg_restore (stdin), with CREATE DATABASE $(best <<< "${D[pipe]}") s"
      else
        step="S3 -> age -d -> tar -x $(best <<< "${D[untar]}") s; CREATE DATABASE + pg_restore -Fd -j$PAR_JOBS of that $(best <<< "${D[pipe]}") s"
      fi
      say "scale $s $label where the time goes (best of $DIAG_RUNS): GET from S3Proxy $(best <<< "${D[get]}") s; GET | sha256sum $(best <<< "${D[sha]}") s; GET | age -d $(best <<< "${D[age]}") s; $step; exact row counts right after the restore $(best <<< "${D[cnt]}") s (again: $(best <<< "${D[cnt2]}") s); DROP DATABASE $(best <<< "${D[drop]}") s; drill polled every 0.1 s $(best <<< "${D[drill]}") s; raw $rbest s, drill $dbest s (best of the pairs)"
      unset D
    fi
  done
  scale_t1=$(now)
  peak=$(peak_rss_kb "$scale_t0" "$scale_t1"); hwm=$(hwm_kb)
  say "scale $s: Lifeboat peak RSS $(mb "$peak") MB (VmHWM $(mb "$hwm") MB) over this scale's backups and drills"
  summary_parts+=("s$s ($dbsize) $(IFS='|'; echo "${parts[*]}" | sed 's/|/; /g'); peak RSS $(mb "$peak") MB")
done
log_after

# ---- targets and summary -------------------------------------------------------------------------------
ratio_ok=met aim_ok=met
for r in "${ratios[@]}"; do
  awk -v r="$r" 'BEGIN { exit !(r <= 1.25) }' || ratio_ok=MISSED
  awk -v r="$r" 'BEGIN { exit !(r <= 1.10) }' || aim_ok=missed
done
summary="drill bench: $(IFS='#'; echo "${summary_parts[*]}" | sed 's/#/; /g'); -Xmx$XMX, medians of the uncontended pairs (--runs $RUNS) [targets: ratio <= 1.25 $ratio_ok, aim 1.10 $aim_ok]"
finish_report drill "$summary"
