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
# itself and stops both on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100,300 RUNS=3 MAX_ATTEMPTS= DIAG_RUNS=${BENCH_DIAG_RUNS:-3} XMX=256m BUILD=1 DIAGNOSE=1 BUSY=0.25 KEEP_DUMPS=0 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) SCALES=$2; shift 2 ;;
    --scales=*) SCALES=${1#*=}; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --xmx) XMX=$2; shift 2 ;;
    --xmx=*) XMX=${1#*=}; shift ;;
    --max-attempts) MAX_ATTEMPTS=$2; shift 2 ;;
    --max-attempts=*) MAX_ATTEMPTS=${1#*=}; shift ;;
    --busy) BUSY=$2; shift 2 ;;
    --busy=*) BUSY=${1#*=}; shift ;;
    --no-build) BUILD=0; shift ;;
    --jar) JAR=$2; BUILD=0; shift 2 ;;
    --jar=*) JAR=${1#*=}; BUILD=0; shift ;;
    --no-diagnose) DIAGNOSE=0; shift ;;
    --keep-dumps) KEEP_DUMPS=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a SCALE_LIST <<< "$SCALES"
for s in "${SCALE_LIST[@]}"; do [[ $s =~ ^[1-9][0-9]*$ ]] || { echo "bad scale '$s'" >&2; exit 2; }; done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs '$RUNS'" >&2; exit 2; }
MAX_ATTEMPTS=${MAX_ATTEMPTS:-$((RUNS * 3))}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK=$ROOT/target/bench-backup
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"

# ---- processes we start; stopped on exit ------------------------------------------------------------
S3_PID= SVC_PID= SAMPLER_PID=
cleanup() {
  local rc=$?
  for pid in $SAMPLER_PID $SVC_PID $S3_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $SAMPLER_PID $SVC_PID $S3_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ "$KEEP_DUMPS" = 1 ] || rm -f "$WORK"/raw_s*.dump
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- PostgreSQL: the test superuser, password only in a 0600 PGPASSFILE -----------------------------
PGPORT=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
[ -n "$PGPORT" ] || die "scripts/pg-setup.sh test printed no PGPORT"
unset PGPASSWORD PGSERVICE PGDATABASE
export PGHOST=127.0.0.1 PGPORT PGUSER=lifeboat_test PGPASSFILE=$WORK/pgpass
(umask 077; printf '127.0.0.1:%s:*:lifeboat_test:lifeboat_test\n' "$PGPORT" > "$PGPASSFILE"
 printf 'lifeboat_test' > "$WORK/target-password")
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
PG_VERSION=$(psql_q -d postgres -c 'SHOW server_version')
PG_DATA=$(psql_q -d postgres -c 'SHOW data_directory' 2>/dev/null || true)

ensure_db() { # scale: database bench_s<scale> with pgbench data of that scale
  local scale=$1 db=bench_s$1 rows
  rows=$(psql_q -d "$db" -c 'SELECT count(*) FROM pgbench_accounts' 2>/dev/null || echo 0)
  if [ "$rows" = "$((scale * 100000))" ]; then
    log "$db exists with $rows accounts: reused"
    return
  fi
  local need_mb=$((scale * 16 * 3 / 2 + 2048)) avail_mb
  avail_mb=$(df -Pm "${PG_DATA:-/var/lib/postgresql}" 2>/dev/null | awk 'NR == 2 { print $4 }')
  [ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
    || die "$db needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free: use smaller --scales"
  log "creating $db: pgbench -i -s $scale (about $((scale * 15)) MB)"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  pgbench -i -q -s "$scale" "$db" > "$WORK/init_$db.log" 2>&1 || { cat "$WORK/init_$db.log" >&2; die "pgbench -i"; }
  psql_q -d "$db" -c 'CHECKPOINT' >/dev/null
}
for s in "${SCALE_LIST[@]}"; do ensure_db "$s"; done

# ---- keys and token -----------------------------------------------------------------------------------
[ -s "$WORK/age-key.txt" ] || (umask 077; age-keygen -o "$WORK/age-key.txt" 2>/dev/null)
RECIPIENT=$(age-keygen -y "$WORK/age-key.txt")
[ -s "$WORK/token" ] || (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$WORK/token")
TOKEN=$(cat "$WORK/token")
S3_ID=bench-access
[ -s "$WORK/s3-secret" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/s3-secret")

# ---- S3Proxy: its own JVM, filesystem backend under target/bench-backup/s3 ----------------------------
if [ ! -s "$WORK/s3proxy-cp.txt" ] || [ bench/backup/s3proxy/pom.xml -nt "$WORK/s3proxy-cp.txt" ]; then
  log "resolving S3Proxy's classpath (bench/backup/s3proxy/pom.xml)"
  ./mvnw -B -q -f bench/backup/s3proxy/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK/s3proxy-cp.txt" >&2
fi
S3_PORT=$(free_port)
rm -rf "$WORK/s3" && mkdir -p "$WORK/s3/bench"   # with this backend a bucket is a directory
(umask 077; cat > "$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ID
s3proxy.credential=$(cat "$WORK/s3-secret")
jclouds.provider=filesystem-nio2
jclouds.identity=$S3_ID
jclouds.credential=$(cat "$WORK/s3-secret")
jclouds.filesystem.basedir=$WORK/s3
EOF
)
log "starting S3Proxy on 127.0.0.1:$S3_PORT"
java -Xmx512m -cp "$(cat "$WORK/s3proxy-cp.txt")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.properties" \
  > "$WORK/s3proxy.log" 2>&1 &
S3_PID=$!
for _ in $(seq 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true)
  [ "$code" = 403 ] && break   # up, and refusing anonymous requests
  kill -0 "$S3_PID" 2>/dev/null || { cat "$WORK/s3proxy.log" >&2; die "S3Proxy exited"; }
  sleep 0.2
done
[ "$code" = 403 ] || die "S3Proxy does not answer (last HTTP code '$code')"

# ---- Lifeboat -------------------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "building Lifeboat (./mvnw -B -q package -DskipTests)"
  ./mvnw -B -q package -DskipTests >&2
fi
[ -f "$JAR" ] || die "no $JAR (run without --no-build)"
psql_q -d postgres -c 'DROP DATABASE IF EXISTS lifeboat_bench WITH (FORCE)' -c 'CREATE DATABASE lifeboat_bench'
HTTP_PORT=$(free_port)
API=http://127.0.0.1:$HTTP_PORT
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
log "starting Lifeboat with -Xmx$XMX on $API"
# Secrets go through the environment and files, never the command line.
QUARKUS_DATASOURCE_PASSWORD=lifeboat_test \
BENCH_TOKEN_HASH="sha256:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" \
BENCH_S3_SECRET="$(cat "$WORK/s3-secret")" \
java "-Xmx$XMX" \
  -Dquarkus.http.port="$HTTP_PORT" \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PGPORT/lifeboat_bench" \
  -Dquarkus.datasource.username=lifeboat_test \
  -Dlifeboat.auth.tokens.bench.hash='${BENCH_TOKEN_HASH}' \
  -Dlifeboat.auth.tokens.bench.role=admin \
  -Dlifeboat.storage.s3.type=s3 \
  -Dlifeboat.storage.s3.endpoint="http://127.0.0.1:$S3_PORT" \
  -Dlifeboat.storage.s3.bucket=bench \
  -Dlifeboat.storage.s3.region=us-east-1 \
  -Dlifeboat.storage.s3.path-style=true \
  -Dlifeboat.storage.s3.access-key-id="$S3_ID" \
  -Dlifeboat.storage.s3.secret-access-key='${BENCH_S3_SECRET}' \
  -Dlifeboat.storage.s3.prefix=lifeboat \
  -Dlifeboat.storage.fs.type=filesystem \
  -Dlifeboat.storage.fs.path="$WORK/fs" \
  -Dlifeboat.encryption.recipients="$RECIPIENT" \
  "${target_props[@]}" \
  -jar "$JAR" > "$WORK/lifeboat.log" 2>&1 &
SVC_PID=$!
for _ in $(seq 600); do
  curl -sf -o /dev/null "$API/q/health/ready" && break
  kill -0 "$SVC_PID" 2>/dev/null || { tail -40 "$WORK/lifeboat.log" >&2; die "Lifeboat exited during start-up"; }
  sleep 0.1
done
curl -sf -o /dev/null "$API/q/health/ready" || { tail -40 "$WORK/lifeboat.log" >&2; die "Lifeboat not ready after 60 s"; }
IDLE_RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SVC_PID/status")
log "Lifeboat ready (pid $SVC_PID, RSS $((IDLE_RSS_KB / 1024)) MB idle)"

# ---- RSS sampler: VmRSS of the service every 100 ms, "epoch kB" lines ----------------------------------
RSS_LOG=$WORK/rss.log
: > "$RSS_LOG"
(
  while :; do
    rss=
    while read -r k v _; do [ "$k" = VmRSS: ] && { rss=$v; break; }; done < "/proc/$SVC_PID/status" || exit 0
    echo "$EPOCHREALTIME $rss"
    sleep 0.1
  done
) >> "$RSS_LOG" 2>/dev/null &
SAMPLER_PID=$!
peak_rss_kb() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { print m + 0 }' "$RSS_LOG"; }
reset_hwm() { echo 5 > "/proc/$SVC_PID/clear_refs" 2>/dev/null || true; }   # resets VmHWM (Linux >= 4.0)
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SVC_PID/status"; }

# ---- CPU accounting: machine busy vs the benchmark's own processes ------------------------------------
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# utime+stime+cutime+cstime (ticks) of: the PostgreSQL server's processes except backends of other
# databases (our exited backends, such as pg_dump's, are in the postmaster's cutime: so are other
# clients' exited backends, which therefore count as ours, a limitation), Lifeboat (its pg_dump children
# end up in its cutime), S3Proxy, this script (raw pg_dump, curl) and the sampler.
# (Read with bash builtins only: other clients may hold a hundred backends, and a fork per process
# would itself cost CPU seconds per measurement.)
our_pg_pids() { # -> PG_PIDS
  local pid words comm
  PG_PIDS=()
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    read -r comm 2>/dev/null < "/proc/$pid/comm" || continue
    [ "$comm" = postgres ] || continue
    words=()
    mapfile -d '' words 2>/dev/null < "/proc/$pid/cmdline" || continue
    # a backend's title is the single argument "postgres: 15/main: <user> <database> <client> <state>"
    read -r -a words <<< "${words[0]:+${words[0]#postgres: *: }}"
    if [ "${#words[@]}" -ge 3 ] && [[ ${words[2]} == *\(* || ${words[2]} == \[local\] ]]; then
      [[ ${words[1]} == bench_s* || ${words[1]} == lifeboat_bench ]] || continue
    fi
    PG_PIDS+=("$pid")
  done
}
proc_ticks() { # pid self|children|all -> TICKS, CPU ticks from /proc/<pid>/stat
  local line f
  TICKS=0
  read -r line 2>/dev/null < "/proc/$1/stat" || return 0
  read -r -a f <<< "${line##*) }"   # f[11..14] = utime stime cutime cstime
  case "$2" in
    self) TICKS=$((f[11] + f[12])) ;;
    children) TICKS=$((f[13] + f[14])) ;;
    *) TICKS=$((f[11] + f[12] + f[13] + f[14])) ;;
  esac
}
our_ticks() {
  local t=0 pid
  our_pg_pids
  for pid in "${PG_PIDS[@]}" $SVC_PID $S3_PID $$ $SAMPLER_PID; do
    proc_ticks "$pid" all; t=$((t + TICKS))
  done
  echo "$t"
}
# CPU ticks by group, "pg lifeboat_jvm lifeboat_children s3proxy script": where a run's CPU goes
# (lifeboat_children = its pg_dump; script = the raw pg_dump, curl, jq).
cpu_groups() {
  local pg=0 pid out
  our_pg_pids
  for pid in "${PG_PIDS[@]}"; do proc_ticks "$pid" all; pg=$((pg + TICKS)); done
  out=$pg
  proc_ticks "$SVC_PID" self; out+=" $TICKS"
  proc_ticks "$SVC_PID" children; out+=" $TICKS"
  proc_ticks "$S3_PID" all; out+=" $TICKS"
  proc_ticks $$ all; out+=" $TICKS"
  echo "$out"
}
GROUPS_A=
groups_start() { GROUPS_A=$(cpu_groups); }
# prints the CPU seconds of each group since groups_start
groups_end() {
  awk -v a="$GROUPS_A" -v b="$(cpu_groups)" -v hz="$HZ" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "postgres %.1f, Lifeboat JVM %.1f, its pg_dump %.1f, S3Proxy %.1f, this script (raw pg_dump, curl) %.1f CPU-s",
      (y[1] - x[1]) / hz, (y[2] - x[2]) / hz, (y[3] - x[3]) / hz, (y[4] - x[4]) / hz, (y[5] - x[5]) / hz }'
}
CPU_A=()
cpu_start() { CPU_A=("$(busy_ticks)" "$(our_ticks)" "$(now)"); groups_start; }
# prints "<other cores> <machine busy cores>" averaged since cpu_start
cpu_end() {
  local b o t
  b=$(busy_ticks); o=$(our_ticks); t=$(now)
  awk -v b0="${CPU_A[0]}" -v b1="$b" -v o0="${CPU_A[1]}" -v o1="$o" -v t0="${CPU_A[2]}" -v t1="$t" -v hz="$HZ" 'BEGIN {
    d = t1 - t0; if (d <= 0) d = 1e-3
    busy = (b1 - b0) / hz / d; other = busy - (o1 - o0) / hz / d; if (other < 0) other = 0
    printf "%.2f %.2f", other, busy }'
}

# Waits (up to QUIET_WAIT seconds) until other processes use less than --busy cores over 2 s.
QUIET_WAIT=${BENCH_QUIET_WAIT:-120}
wait_quiet() {
  local start other waited=0
  start=$(now)
  while :; do
    cpu_start; sleep 2; read -r other _ <<< "$(cpu_end)"
    awk -v o="$other" -v t="$BUSY" 'BEGIN { exit !(o <= t) }' && break
    waited=$(elapsed "$start" "$(now)")
    if [ "${waited%.*}" -ge "$QUIET_WAIT" ]; then
      log "machine still busy after ${waited} s (other processes: $other cores): measuring anyway"
      return
    fi
  done
  [ "$waited" = 0 ] || log "waited ${waited} s for other processes to go below $BUSY cores"
}

# ---- one measurement of each kind --------------------------------------------------------------------
# (They set globals instead of printing, so that they run in this shell: pg_dump's CPU time lands in
# this script's cutime, and a failure stops the script.)
SECS= LAST_DUMP_BYTES=0 LAST_JOB=
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
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "$@"; }
QUEUED_LIMIT=${BENCH_QUEUED_LIMIT:-120}   # seconds a job may stay queued before we give up
lifeboat_run() { # target -> SECS from POST to the job's terminal state, LAST_JOB (the job's JSON file)
  local t0 t1 id status code body=$WORK/job.json
  t0=$(now)
  code=$(api -o "$body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"target\":\"$1\"}" "$API/api/v1/backups") || { cat "$body" >&2; die "POST /api/v1/backups failed"; }
  id=$(jq -r .id "$body")
  [ "$code" = 202 ] && [ -n "$id" ] && [ "$id" != null ] || { cat "$body" >&2; die "POST /api/v1/backups: HTTP $code, no job id"; }
  while :; do
    api "$API/api/v1/jobs/$id?waitSeconds=30" > "$body"
    status=$(jq -r .status "$body")
    case "$status" in succeeded|failed|cancelled) break ;; esac
    if [ "$status" = queued ] && [ "$(elapsed "$t0" "$(now)" | cut -d. -f1)" -ge "$QUEUED_LIMIT" ]; then
      die "backup job $id still queued after $QUEUED_LIMIT s (POST answered 202): is there a backup job handler?"
    fi
  done
  t1=$(now)
  LAST_JOB=$body
  [ "$status" = succeeded ] || { jq . "$body" >&2; tail -30 "$WORK/lifeboat.log" >&2; die "backup job $id ended $status"; }
  SECS=$(elapsed "$t0" "$t1")
}
job_seconds() { # job json: startedAt -> finishedAt
  python3 - "$1" <<'PY'
import json, sys
from datetime import datetime
j = json.load(open(sys.argv[1]))
p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
print("%.2f" % (p(j["finishedAt"]) - p(j["startedAt"])).total_seconds())
PY
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { tr ' ' '\n' | grep . | sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# ---- the measurement -----------------------------------------------------------------------------------
log "machine: $NCPU CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $PG_VERSION, $(pg_dump --version), $(java -version 2>&1 | head -1)"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
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
    log "$line"; echo "$line" >> "$REPORT"
    line="scale $s pair $attempt CPU: raw: $rcpu | Lifeboat: $lcpu"
    log "$line"; echo "$line" >> "$REPORT"
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
    entries=$(age -d -i "$WORK/age-key.txt" "$obj" | pg_restore -l 2>/dev/null | grep -c ' TABLE DATA ' || true)
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
    log "$line"; echo "$line" >> "$REPORT"
  fi
  line="scale $s: raw median ${RAW_MED[$s]} s (best ${RAW_BEST[$s]}), Lifeboat median ${LB_MED[$s]} s (best ${LB_BEST[$s]}, job ${JOB_MED[$s]} s), ratio ${RATIO[$s]} (best/best $(ratio "${LB_BEST[$s]}" "${RAW_BEST[$s]}")); raw dump ${RAWSIZE[$s]} bytes, stored object ${OBJSIZE[$s]} bytes; peak RSS $(mb "${PEAK[$s]}") MB (VmHWM $(mb "${HWM[$s]}") MB); figures from $([ "${KEPT[$s]}" = 0 ] && echo "${#raws[@]} uncontended pairs" || echo "ALL ${#raws[@]} pairs, every one contended"), ${CONTENDED[$s]} contended pair(s) left out"
  log "$line"; echo "$line" >> "$REPORT"
  summary_parts+=("s$s ($dbsize) Lifeboat ${LB_MED[$s]} s vs pg_dump ${RAW_MED[$s]} s = ratio ${RATIO[$s]} (best/best $(ratio "${LB_BEST[$s]}" "${RAW_BEST[$s]}")), peak RSS $(mb "${PEAK[$s]}") MB$([ "${KEPT[$s]}" = 0 ] || echo ", all pairs CONTENDED")")
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg); Lifeboat idle RSS after start-up $(mb "$IDLE_RSS_KB") MB"

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
echo "$summary" >> "$REPORT"
cp "$REPORT" "$ROOT/target/bench/backup-report.txt"
echo "$summary" > "$ROOT/target/bench/backup.txt"
echo
cat "$REPORT" | sed '$d'
echo "$summary"
