#!/usr/bin/env bash
# Backup benchmark: raw `pg_dump -Fc -f file` against a Lifeboat backup (pg_dump -> age encryption ->
# S3 upload to a local S3Proxy), on pgbench databases, in one run. Prints the time ratio
# (Lifeboat / raw) and the service's peak RSS per scale. The LAST line printed is the summary; it is
# also written to target/bench/backup.txt. See bench/README.md, "Backup benchmark".
#
# Usage: bench/backup.sh [--scales 100,300] [--runs 3] [--xmx 256m] [--no-build] [--no-diagnose]
#                        [--busy 0.25] [--keep-dumps] [--jar path/to/quarkus-run.jar]
#   --scales     pgbench scale factors, comma-separated (one database bench_s<scale> each, created
#                with `pgbench -i -s <scale>` once and reused while its row count is right)
#   --runs       uncontended pairs per scale (raw, Lifeboat, raw, Lifeboat, ...); median and best reported
#   --max-attempts  pairs per scale at most, contended ones included (default 3 x --runs)
#   --xmx        the service's -Xmx
#   --no-build   use the existing target/quarkus-app instead of running ./mvnw package
#   --jar        run this Lifeboat build instead (implies --no-build)
#   --no-diagnose  skip the "where the time goes" runs (pg_dump to /dev/null, | age, filesystem storage)
#   --busy       CPU of other processes (cores, averaged over a run) above which a pair counts as
#                contended: reported, left out of the figures, and another pair is run
#
# Everything it creates lives in target/bench-backup/ (S3Proxy's files, dumps, logs, keys) and in the
# local PostgreSQL: databases bench_s<scale> and lifeboat_bench (the service's own, recreated each run),
# all owned by the test superuser lifeboat_test of scripts/pg-setup.sh. It starts S3Proxy and Lifeboat
# itself and stops both on exit. The set-up it shares with bench/drill.sh is in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100,300 RUNS=3 MAX_ATTEMPTS= DIAG_RUNS=${BENCH_DIAG_RUNS:-3} XMX=256m BUILD=1 DIAGNOSE=1 BUSY=0.25 KEEP_DUMPS=0 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-dumps) KEEP_DUMPS=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) common_arg "$@" || { echo "unknown argument: $1 (see --help)" >&2; exit 2; }; shift "$ARG_SHIFT" ;;
  esac
done
check_scales_runs

WORK=$ROOT/target/bench-backup
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
OUR_DBS=('bench_s*' lifeboat_bench)   # the databases whose backends count as the benchmark's
SVC_CHILD=pg_dump SCRIPT_TOOLS="raw pg_dump, curl"

# ---- on exit (bench/lib.sh's cleanup stops S3Proxy, Lifeboat and the sampler first) ------------------
cleanup_more() { [ "$KEEP_DUMPS" = 1 ] || rm -f "$WORK"/raw_s*.dump; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: the test superuser, also the targets' role (its password in a 0600 file) -------------
pg_connect
(umask 077; printf 'lifeboat_test' > "$WORK/target-password")

for s in "${SCALE_LIST[@]}"; do ensure_db "$s"; done

# ---- keys and token; S3Proxy, filesystem backend under target/bench-backup/s3 ----------------------------
make_keys
start_s3proxy

# ---- Lifeboat (its own database lifeboat_bench, an admin token), then the RSS sampler -------------------
target_props=()
for s in "${SCALE_LIST[@]}"; do
  for variant in "" fs; do   # s<scale>: to S3; s<scale>fs: to the filesystem (diagnosis only)
    t=s$s$variant
    target_props+=(-Dlifeboat.targets.$t.host=127.0.0.1 -Dlifeboat.targets.$t.port="$PGPORT"
      -Dlifeboat.targets.$t.database=bench_s$s -Dlifeboat.targets.$t.username=lifeboat_test
      -Dlifeboat.targets.$t.password-file="$WORK/target-password"
      -Dlifeboat.targets.$t.storage="$([ -z "$variant" ] && echo s3 || echo fs)")
  done
done
rm -rf "$WORK/fs" && mkdir -p "$WORK/fs"
start_lifeboat lifeboat_bench admin \
  -Dlifeboat.storage.fs.type=filesystem \
  -Dlifeboat.storage.fs.path="$WORK/fs" \
  "${target_props[@]}"
start_rss_sampler

# ---- one measurement of each kind --------------------------------------------------------------------
# (They set globals instead of printing, so that they run in this shell: pg_dump's CPU time lands in
# this script's cutime, and a failure stops the script.)
LAST_DUMP_BYTES=0
raw_run() { # scale -> SECS, LAST_DUMP_BYTES
  local f=$WORK/raw_s$1.dump t0 t1
  rm -f "$f"
  t0=$(now)
  pg_dump -Fc -f "$f" "bench_s$1"
  t1=$(now)
  LAST_DUMP_BYTES=$(stat -c %s "$f")
  SECS=$(elapsed "$t0" "$t1")
}
count_rows() { # db: what Lifeboat's row counting does (count(*) of every ordinary user table)
  psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
SELECT format('SELECT count(*) FROM ONLY %s', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
\gexec
SQL
}
lifeboat_run() { # target -> SECS from POST to the job's terminal state, LAST_JOB (the job's JSON file)
  job_run /api/v1/backups "{\"target\":\"$1\"}"
}

# ---- the measurement -----------------------------------------------------------------------------------
log_machine
# one small warm-up backup (JIT, connection pools, S3 client), not measured
lifeboat_run "s${SCALE_LIST[0]}"
log "warm-up backup done"

REPORT=$WORK/report.txt
: > "$REPORT"
declare -A RAW_MED RAW_BEST LB_MED LB_BEST JOB_MED PEAK HWM RATIO RAWSIZE OBJSIZE CONTENDED KEPT
summary_parts=()
for s in "${SCALE_LIST[@]}"; do
  db=bench_s$s
  dbsize=$(psql_q -d "$db" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')
  log "== scale $s ($db, $dbsize): $RUNS pairs raw / Lifeboat"
  raws=() lbs=() jobs=() contended=0 contended_kept=0
  reset_hwm
  scale_t0=$(now)
  # Pairs until RUNS of them ran with other processes below --busy cores, at most MAX_ATTEMPTS pairs;
  # every pair is reported, the figures use the uncontended ones (all of them if none was).
  attempt=0 clean=0
  all_r=() all_l=() all_j=()
  while [ "$clean" -lt "$RUNS" ] && [ "$attempt" -lt "$MAX_ATTEMPTS" ]; do
    attempt=$((attempt + 1))
    wait_quiet
    la0=$(cut -d' ' -f1 /proc/loadavg)
    cpu_start; raw_run "$s"; r=$SECS; read -r ro rb <<< "$(cpu_end)"; rcpu=$(groups_end)
    cpu_start; lifeboat_run "s$s"; l=$SECS; read -r lo lb <<< "$(cpu_end)"; lcpu=$(groups_end)
    j=$(job_seconds "$LAST_JOB")
    objsize=$(jq -r '.result.sizeBytes // empty' "$LAST_JOB")
    line=$(printf 'scale %s pair %d: raw %6.2f s (%s bytes) | lifeboat %6.2f s (job %s s, object %s bytes) | ratio %s | other CPU %s / %s cores (machine busy %s / %s), load %s' \
      "$s" "$attempt" "$r" "$LAST_DUMP_BYTES" "$l" "$j" "${objsize:-?}" "$(ratio "$l" "$r")" "$ro" "$lo" "$rb" "$lb" "$la0")
    all_r+=("$r"); all_l+=("$l"); all_j+=("$j")
    if awk -v a="$ro" -v b="$lo" -v t="$BUSY" 'BEGIN { exit !(a > t || b > t) }'; then
      line="$line  [CONTENDED: other CPU > $BUSY cores]"; contended=$((contended + 1))
    else
      clean=$((clean + 1)); raws+=("$r"); lbs+=("$l"); jobs+=("$j")
    fi
    say "$line"
    say "scale $s pair $attempt CPU: raw: $rcpu | Lifeboat: $lcpu"
  done
  if [ "$clean" = 0 ]; then
    raws=("${all_r[@]}") lbs=("${all_l[@]}") jobs=("${all_j[@]}") contended_kept=$contended
  fi
  scale_t1=$(now)
  RAWSIZE[$s]=$LAST_DUMP_BYTES
  OBJSIZE[$s]=${objsize:-0}
  RAW_MED[$s]=$(echo "${raws[*]}" | median); RAW_BEST[$s]=$(echo "${raws[*]}" | best)
  LB_MED[$s]=$(echo "${lbs[*]}" | median);   LB_BEST[$s]=$(echo "${lbs[*]}" | best)
  JOB_MED[$s]=$(echo "${jobs[*]}" | median)
  RATIO[$s]=$(ratio "${LB_MED[$s]}" "${RAW_MED[$s]}")
  PEAK[$s]=$(peak_rss_kb "$scale_t0" "$scale_t1")
  HWM[$s]=$(hwm_kb)
  CONTENDED[$s]=$contended
  KEPT[$s]=$contended_kept

  # Check the last stored object: it is an age file that decrypts to a pg_dump archive.
  obj=$(find "$WORK/s3/bench" -type f -size +1k -newermt "@${scale_t0%.*}" -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
  if [ -n "$obj" ] && head -c 21 "$obj" | grep -q 'age-encryption.org/v1'; then
    if [[ $obj == *.zst.age ]]; then unzstd=(zstd -d -q -c); else unzstd=(cat); fi
    entries=$(age -d -i "$WORK/age-key.txt" "$obj" | "${unzstd[@]}" | pg_restore -l 2>/dev/null | grep -c ' TABLE DATA ' || true)
    check="stored object ${obj#"$WORK/s3/"} is age-encrypted; decrypted, pg_restore -l lists $entries TABLE DATA entries"
  else
    check="WARNING: no age-encrypted object found in the bucket for this scale (${obj:-none})"
  fi
  log "$check"; echo "scale $s: $check" >> "$REPORT"

  if [ "$DIAGNOSE" = 1 ]; then
    # Each variant DIAG_RUNS times, the best (least disturbed) reported.
    declare -A D=()
    for _ in $(seq "$DIAG_RUNS"); do
      wait_quiet
      t0=$(now); pg_dump -Fc "$db" > /dev/null; t1=$(now); D[null]+="$(elapsed "$t0" "$t1") "
      t0=$(now); pg_dump -Fc "$db" | age -r "$RECIPIENT" > /dev/null; t1=$(now); D[age]+="$(elapsed "$t0" "$t1") "
      # Lifeboat counts every table's rows (count(*), in pg_dump's snapshot) while pg_dump runs:
      # the same counts alone, then beside a pg_dump to /dev/null.
      t0=$(now); count_rows "$db"; t1=$(now); D[cnt]+="$(elapsed "$t0" "$t1") "
      t0=$(now); pg_dump -Fc "$db" > /dev/null & dpid=$!; count_rows "$db"; wait "$dpid"; t1=$(now)
      D[both]+="$(elapsed "$t0" "$t1") "
      lifeboat_run "s${s}fs"; D[fs]+="$SECS "
      raw_run "$s"; D[raw]+="$SECS "
    done
    line="scale $s where the time goes (best of $DIAG_RUNS): raw -f file $(best <<< "${D[raw]}") s; pg_dump -Fc to stdout >/dev/null $(best <<< "${D[null]}") s; pg_dump -Fc | age >/dev/null $(best <<< "${D[age]}") s; row counts alone $(best <<< "${D[cnt]}") s; pg_dump -Fc >/dev/null with the row counts beside it $(best <<< "${D[both]}") s; Lifeboat to filesystem storage $(best <<< "${D[fs]}") s; Lifeboat to S3 ${LB_BEST[$s]} s (best of the pairs)"
    say "$line"
  fi
  line="scale $s: raw median ${RAW_MED[$s]} s (best ${RAW_BEST[$s]}), Lifeboat median ${LB_MED[$s]} s (best ${LB_BEST[$s]}, job ${JOB_MED[$s]} s), ratio ${RATIO[$s]} (best/best $(ratio "${LB_BEST[$s]}" "${RAW_BEST[$s]}")); raw dump ${RAWSIZE[$s]} bytes, stored object ${OBJSIZE[$s]} bytes; peak RSS $(mb "${PEAK[$s]}") MB (VmHWM $(mb "${HWM[$s]}") MB); figures from $([ "${KEPT[$s]}" = 0 ] && echo "${#raws[@]} uncontended pairs" || echo "ALL ${#raws[@]} pairs, every one contended"), ${CONTENDED[$s]} contended pair(s) left out"
  say "$line"
  summary_parts+=("s$s ($dbsize) Lifeboat ${LB_MED[$s]} s vs pg_dump ${RAW_MED[$s]} s = ratio ${RATIO[$s]} (best/best $(ratio "${LB_BEST[$s]}" "${RAW_BEST[$s]}")), peak RSS $(mb "${PEAK[$s]}") MB$([ "${KEPT[$s]}" = 0 ] || echo ", all pairs CONTENDED")")
done
log_after

# ---- targets and summary -------------------------------------------------------------------------------
ratio_ok=met
for s in "${SCALE_LIST[@]}"; do
  awk -v r="${RATIO[$s]}" 'BEGIN { exit !(r <= 1.15) }' || ratio_ok=MISSED
done
first=${SCALE_LIST[0]} last=${SCALE_LIST[${#SCALE_LIST[@]} - 1]}
if [ "$first" = "$last" ]; then
  flat="RSS flat: one scale only"
else
  growth=$(awk -v a="${PEAK[$first]}" -v b="${PEAK[$last]}" 'BEGIN { printf "%+.0f", (b - a) / 1024 }')
  flat_ok=$(awk -v a="${PEAK[$first]}" -v b="${PEAK[$last]}" 'BEGIN { print (b <= a * 1.10) ? "met" : "MISSED" }')
  flat="peak RSS flat s$first->s$last ($growth MB, <= +10%) $flat_ok"
fi
summary="backup bench: $(IFS=';'; echo "${summary_parts[*]}" | sed 's/;/; /g'); -Xmx$XMX, medians of the uncontended pairs (--runs $RUNS) [targets: ratio <= 1.15 $ratio_ok, $flat]"
finish_report backup "$summary"
