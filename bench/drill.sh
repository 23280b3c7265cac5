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
# It starts S3Proxy and Lifeboat itself and stops both on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100 RUNS=3 MAX_ATTEMPTS= DIAG_RUNS=${BENCH_DIAG_RUNS:-2} XMX=256m BUILD=1 DIAGNOSE=1 BUSY=0.25 KEEP=0
PAR_JOBS=2 PARALLEL=1 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) SCALES=$2; shift 2 ;;
    --scales=*) SCALES=${1#*=}; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --jobs) PAR_JOBS=$2; shift 2 ;;
    --jobs=*) PAR_JOBS=${1#*=}; shift ;;
    --xmx) XMX=$2; shift 2 ;;
    --xmx=*) XMX=${1#*=}; shift ;;
    --max-attempts) MAX_ATTEMPTS=$2; shift 2 ;;
    --max-attempts=*) MAX_ATTEMPTS=${1#*=}; shift ;;
    --busy) BUSY=$2; shift 2 ;;
    --busy=*) BUSY=${1#*=}; shift ;;
    --no-build) BUILD=0; shift ;;
    --jar) JAR=$2; BUILD=0; shift 2 ;;
    --jar=*) JAR=${1#*=}; BUILD=0; shift ;;
    --no-parallel) PARALLEL=0; shift ;;
    --no-diagnose) DIAGNOSE=0; shift ;;
    --keep-archives) KEEP=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a SCALE_LIST <<< "$SCALES"
for s in "${SCALE_LIST[@]}"; do [[ $s =~ ^[1-9][0-9]*$ ]] || { echo "bad scale '$s'" >&2; exit 2; }; done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs '$RUNS'" >&2; exit 2; }
[[ $PAR_JOBS =~ ^[1-9][0-9]?$ ]] && [ "$PAR_JOBS" -le 64 ] || { echo "bad --jobs '$PAR_JOBS' (1-64)" >&2; exit 2; }
[[ $BUSY =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bad --busy '$BUSY'" >&2; exit 2; }
MAX_ATTEMPTS=${MAX_ATTEMPTS:-$((RUNS * 3))}
[[ $MAX_ATTEMPTS =~ ^[1-9][0-9]*$ ]] || { echo "bad --max-attempts '$MAX_ATTEMPTS'" >&2; exit 2; }
case "$JAR" in /*) ;; *) JAR=$ROOT/$JAR ;; esac

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for tool in psql pg_restore pgbench age age-keygen jq curl python3 java tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/pg-setup.sh test installs PostgreSQL, age and jq)"
done

WORK=$ROOT/target/bench-drill
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
RAW_DB=bench_drill_raw          # raw restores go here; dropped after each
TROLE=bench_drill               # the targets' role (and the raw restores')

# ---- processes we start and databases we leave; cleaned up on exit ------------------------------------
S3_PID= SVC_PID= SAMPLER_PID= PG_READY=0
OUR_SCRATCH=()                  # lifeboat_drill_<job> of our drills (dropped on exit if still there)
cleanup() {
  local rc=$? pid db
  for pid in $SAMPLER_PID $SVC_PID $S3_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $SAMPLER_PID $SVC_PID $S3_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$PG_READY" = 1 ]; then
    # only databases this run made: the raw restore's, and scratch databases of our own drill jobs that a
    # killed service could not drop
    for db in "$RAW_DB" "${OUR_SCRATCH[@]}"; do
      psql -X -q -tA -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$WORK/scratch" "$WORK/diag-restore"
  [ "$KEEP" = 1 ] || rm -rf "$WORK"/plain_s*.dump "$WORK"/plain_s*_dir
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- PostgreSQL: the test superuser (set-up, CHECKPOINT) and the targets' role ---------------------------
PGPORT=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
[ -n "$PGPORT" ] || die "scripts/pg-setup.sh test printed no PGPORT"
unset PGPASSWORD PGSERVICE PGDATABASE
export PGHOST=127.0.0.1 PGPORT PGUSER=lifeboat_test PGPASSFILE=$WORK/pgpass
[ -s "$WORK/target-password" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/target-password")
TPW=$(cat "$WORK/target-password")
(umask 077; printf '127.0.0.1:%s:*:lifeboat_test:lifeboat_test\n127.0.0.1:%s:*:%s:%s\n' "$PGPORT" "$PGPORT" "$TROLE" "$TPW" > "$PGPASSFILE")
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
PG_READY=1
PG_VERSION=$(psql_q -d postgres -c 'SHOW server_version')
PG_DATA=$(psql_q -d postgres -c 'SHOW data_directory' 2>/dev/null || true)
# The targets connect as a role that is not a superuser, as a production target would: CREATEDB for the
# scratch databases, pg_read_all_data to dump the bench databases (owned by lifeboat_test). A superuser
# target would also let each drill's sweep of "leftover" lifeboat_drill_* databases (DrillHandler.
# dropLeftovers, which only knows this service's own jobs) force-drop the scratch databases of other
# Lifeboat instances on the same server, e.g. a test suite's running drills. The password goes
# through stdin, never onto an argument list.
psql_q -d postgres -v name="$TROLE" >/dev/null <<SQL
\\set pw '$TPW'
SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER CREATEDB PASSWORD %L', :'name', :'pw') \gexec
SELECT format('GRANT pg_read_all_data TO %I', :'name') \gexec
SQL

ensure_db() { # scale: database bench_s<scale> with pgbench data of that scale (as bench/backup.sh)
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
for s in 1 "${SCALE_LIST[@]}"; do ensure_db "$s"; done   # bench_s1: the warm-up
# A restore needs room for a second copy of the database (the drill's scratch one, or the raw one).
max_scale=$(printf '%s\n' "${SCALE_LIST[@]}" | sort -n | tail -1)
need_mb=$((max_scale * 16 * 3 / 2 + 2048))
avail_mb=$(df -Pm "${PG_DATA:-/var/lib/postgresql}" 2>/dev/null | awk 'NR == 2 { print $4 }')
[ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
  || die "restoring bench_s$max_scale needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free"

# ---- keys and token -----------------------------------------------------------------------------------
[ -s "$WORK/age-key.txt" ] || (umask 077; age-keygen -o "$WORK/age-key.txt" 2>/dev/null)
RECIPIENT=$(age-keygen -y "$WORK/age-key.txt")
[ -s "$WORK/token" ] || (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$WORK/token")
TOKEN=$(cat "$WORK/token")
S3_ID=bench-access
[ -s "$WORK/s3-secret" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/s3-secret")
# curl's config for reading objects straight from S3Proxy (diagnosis): the secret stays off argv
(umask 077; printf 'user = "%s:%s"\n' "$S3_ID" "$(cat "$WORK/s3-secret")" > "$WORK/s3-curl.cfg")

# ---- S3Proxy: its own JVM, filesystem backend under target/bench-drill/s3 (as bench/backup.sh) ---------
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
psql_q -d postgres -c 'DROP DATABASE IF EXISTS lifeboat_bench_drill WITH (FORCE)' -c 'CREATE DATABASE lifeboat_bench_drill'
HTTP_PORT=$(free_port)
API=http://127.0.0.1:$HTTP_PORT
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
log "starting Lifeboat with -Xmx$XMX on $API ($JAR)"
# Secrets go through the environment and files, never the command line.
QUARKUS_DATASOURCE_PASSWORD=lifeboat_test \
BENCH_TOKEN_HASH="sha256:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" \
BENCH_S3_SECRET="$(cat "$WORK/s3-secret")" \
java "-Xmx$XMX" \
  -Dquarkus.http.port="$HTTP_PORT" \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PGPORT/lifeboat_bench_drill" \
  -Dquarkus.datasource.username=lifeboat_test \
  -Dlifeboat.auth.tokens.bench.hash='${BENCH_TOKEN_HASH}' \
  -Dlifeboat.auth.tokens.bench.role=operator \
  -Dlifeboat.storage.s3.type=s3 \
  -Dlifeboat.storage.s3.endpoint="http://127.0.0.1:$S3_PORT" \
  -Dlifeboat.storage.s3.bucket=bench \
  -Dlifeboat.storage.s3.region=us-east-1 \
  -Dlifeboat.storage.s3.path-style=true \
  -Dlifeboat.storage.s3.access-key-id="$S3_ID" \
  -Dlifeboat.storage.s3.secret-access-key='${BENCH_S3_SECRET}' \
  -Dlifeboat.storage.s3.prefix=lifeboat \
  -Dlifeboat.encryption.recipients="$RECIPIENT" \
  -Dlifeboat.encryption.identity-file="$WORK/age-key.txt" \
  -Dlifeboat.backup.scratch-dir="$WORK/scratch" \
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

# ---- CPU accounting: machine busy vs the benchmark's own processes (as bench/backup.sh) ----------------
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# utime+stime+cutime+cstime (ticks) of: the PostgreSQL server's processes except backends of other
# databases (exited backends are in the postmaster's cutime, other clients' too, which therefore count
# as ours: a limitation), Lifeboat (its pg_restore children end up in its cutime), S3Proxy, this script
# (raw pg_restore, psql, curl) and the sampler. Bash builtins only: no fork per process.
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
      # our databases; lifeboat_drill_* may also be another Lifeboat's scratch database (counted as ours)
      [[ ${words[1]} == bench_* || ${words[1]} == lifeboat_bench_drill || ${words[1]} == lifeboat_drill_* ]] || continue
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
# CPU ticks by group, "pg lifeboat_jvm lifeboat_children s3proxy script"
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
groups_end() { # the CPU seconds of each group since groups_start
  awk -v a="$GROUPS_A" -v b="$(cpu_groups)" -v hz="$HZ" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "postgres %.1f, Lifeboat JVM %.1f, its pg_restore %.1f, S3Proxy %.1f, this script (raw pg_restore, psql, curl) %.1f CPU-s",
      (y[1] - x[1]) / hz, (y[2] - x[2]) / hz, (y[3] - x[3]) / hz, (y[4] - x[4]) / hz, (y[5] - x[5]) / hz }'
}
CPU_A=()
cpu_start() { CPU_A=("$(busy_ticks)" "$(our_ticks)" "$(now)"); groups_start; }
cpu_end() { # "<other cores> <machine busy cores>" averaged since cpu_start
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
SECS= DROP_SECS= LAST_JOB= LOG_NOTES=
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
count_rows() { # db: what the drill's row counting does (count(*) of every ordinary user table, one backend)
  PGUSER=$TROLE psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT format('SELECT count(*) FROM ONLY %s', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
\gexec
SQL
}
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "$@"; }
QUEUED_LIMIT=${BENCH_QUEUED_LIMIT:-120}   # seconds a job may stay queued before we give up
# POSTs a job and waits for it: path json [sample] -> LAST_JOB (the job's JSON file), SECS from the POST
# to the client seeing the terminal state, JOB_ID. With "sample", the job is polled every 0.2 s instead
# of long-polled and PHASES says when its progress phase changed (for the diagnosis only).
JOB_ID= PHASES=
job_run() {
  local t0 t1 status code loc phase last= body=$WORK/job.json hdr=$WORK/job.hdr
  t0=$(now)
  code=$(api -D "$hdr" -o "$body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$2" "$API$1") \
    || { cat "$body" >&2; die "POST $1 $2 failed"; }
  JOB_ID=$(jq -r .id "$body")
  loc=$(tr -d '\r' < "$hdr" | sed -n 's/^[Ll]ocation: *//p' | tail -1)
  [ "$code" = 202 ] && [ -n "$JOB_ID" ] && [ "$JOB_ID" != null ] && [ -n "$loc" ] \
    || { cat "$hdr" "$body" >&2; die "POST $1: HTTP $code, no job id or Location"; }
  [ "$1" != /api/v1/drills ] || OUR_SCRATCH+=("lifeboat_drill_$(printf %s "${JOB_ID//-/}" | cut -c1-16)")
  PHASES= RS_START= RS_END=
  while :; do
    if [ "${3:-}" = sample ]; then
      api "$loc" > "$body"
      phase=$(jq -r '.progress.phase // "-"' "$body")
      if [ "$phase" != "$last" ]; then PHASES+="$phase@$(elapsed "$t0" "$(now)") "; last=$phase; fi
      if svc_runs_pg_restore; then
        [ -n "$RS_START" ] || RS_START=$(elapsed "$t0" "$(now)")
      elif [ -n "$RS_START" ] && [ -z "$RS_END" ]; then
        RS_END=$(elapsed "$t0" "$(now)")
      fi
    else
      api "$loc?waitSeconds=30" > "$body"
    fi
    status=$(jq -r .status "$body")
    case "$status" in succeeded|failed|cancelled) break ;; esac
    if [ "$status" = queued ] && [ "$(elapsed "$t0" "$(now)" | cut -d. -f1)" -ge "$QUEUED_LIMIT" ]; then
      die "job $JOB_ID still queued after $QUEUED_LIMIT s (POST answered 202): is there a handler for it?"
    fi
    [ "${3:-}" != sample ] || sleep 0.1
  done
  t1=$(now)
  [ "${3:-}" != sample ] || PHASES+="$status@$(elapsed "$t0" "$t1")"
  LAST_JOB=$body
  [ "$status" = succeeded ] || { jq . "$body" >&2; tail -30 "$WORK/lifeboat.log" >&2; die "job $JOB_ID ($1 $2) ended $status"; }
  SECS=$(elapsed "$t0" "$t1")
}
svc_runs_pg_restore() { # true while the service has a pg_restore child (builtins only)
  local f pid comm kids
  for f in /proc/"$SVC_PID"/task/*/children; do
    kids=()
    read -r -a kids 2>/dev/null < "$f" || true   # the list has no trailing newline: read "fails" at EOF
    for pid in "${kids[@]}"; do
      read -r comm 2>/dev/null < "/proc/$pid/comm" && [ "$comm" = pg_restore ] && return 0
    done
  done
  return 1
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
log "machine: $NCPU CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $PG_VERSION, $(pg_restore --version), $(java -version 2>&1 | head -1)"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# warm-up (JIT, connection pools, S3 client): a backup and a drill of bench_s1 in each format, not measured
backup_run w; drill_run w "$BACKUP_ID"
if [ "$PARALLEL" = 1 ]; then backup_run wd; drill_run wd "$BACKUP_ID"; fi
log "warm-up drills done"

REPORT=$WORK/report.txt
: > "$REPORT"
say() { log "$*"; echo "$*" >> "$REPORT"; }
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
    # ONE backup, then the plain archive: the real age -d of the stored object, so raw and drill
    # restore literally the same archive
    backup_run "$t"; bid=$BACKUP_ID
    objsize=$(jq -r .result.sizeBytes "$LAST_JOB")
    stored_object "$bid"
    if [ "$fmt" = custom ]; then
      age -d -i "$WORK/age-key.txt" -o "$WORK/plain_s$s.dump" "$OBJ"
      entries=$(pg_restore -l "$WORK/plain_s$s.dump" | grep -c ' TABLE DATA ' || true)
      say "scale $s $label: backup $bid, stored object ${OBJ_KEY} ($objsize bytes, SHA-256 as in the catalog); age -d gives a $(stat -c %s "$WORK/plain_s$s.dump")-byte archive, $entries TABLE DATA entries"
    else
      rm -rf "$WORK/plain_s${s}_dir" && mkdir -p "$WORK/plain_s${s}_dir"
      age -d -i "$WORK/age-key.txt" "$OBJ" | tar --warning=no-unknown-keyword -x -C "$WORK/plain_s${s}_dir"
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
        t0=$(now); s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" > /dev/null; t1=$(now); D[age]+="$(elapsed "$t0" "$t1") "
        drop_raw_db; checkpoint
        if [ "$fmt" = custom ]; then
          # the drill's restore step with the Go age and curl: S3 -> age -d -> pg_restore from stdin
          t0=$(now); create_raw_db
          s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" | PGUSER=$TROLE pg_restore --no-owner --no-privileges --exit-on-error -d "$RAW_DB"
          t1=$(now); D[pipe]+="$(elapsed "$t0" "$t1") "
        else
          # the drill's unpack step, then the restore of the unpacked directory
          rm -rf "$WORK/diag-restore" && mkdir -p "$WORK/diag-restore"
          t0=$(now); s3_get "$OBJ_KEY" | age -d -i "$WORK/age-key.txt" | tar --warning=no-unknown-keyword -x -C "$WORK/diag-restore"; t1=$(now)
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
        say "scale $s $label diagnosis drill (polled every 0.1 s): $SECS s; its pg_restore ran from ${RS_START:-?} to ${RS_END:-?} s after the POST: before it $(awk -v a="${RS_START:-0}" 'BEGIN { printf "%.2f", a }') s (queue, copy check: GET + SHA-256, manifest, probe, CREATE DATABASE$([ "$fmt" = custom ] || echo ", download + age + unpack")), pg_restore $(awk -v a="${RS_START:-0}" -v b="${RS_END:-0}" 'BEGIN { printf "%.2f", b - a }') s, after it $(awk -v b="${RS_END:-0}" -v c="$SECS" 'BEGIN { printf "%.2f", c - b }') s (row and schema counts, DROP, job completion); restoreSeconds $(jq -r .result.restoreSeconds "$LAST_JOB"); progress phases as stored (with the heartbeat, up to ~1 s late) $PHASES"
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
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg); Lifeboat idle RSS after start-up $(mb "$IDLE_RSS_KB") MB"

# ---- targets and summary -------------------------------------------------------------------------------
ratio_ok=met aim_ok=met
for r in "${ratios[@]}"; do
  awk -v r="$r" 'BEGIN { exit !(r <= 1.25) }' || ratio_ok=MISSED
  awk -v r="$r" 'BEGIN { exit !(r <= 1.10) }' || aim_ok=missed
done
summary="drill bench: $(IFS='#'; echo "${summary_parts[*]}" | sed 's/#/; /g'); -Xmx$XMX, medians of the uncontended pairs (--runs $RUNS) [targets: ratio <= 1.25 $ratio_ok, aim 1.10 $aim_ok]"
echo "$summary" >> "$REPORT"
cp "$REPORT" "$ROOT/target/bench/drill-report.txt"
echo "$summary" > "$ROOT/target/bench/drill.txt"
echo
sed '$d' "$REPORT"
echo "$summary"
