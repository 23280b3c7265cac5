# The set-up that bench/backup.sh and bench/drill.sh share, sourced by both (not run on its own):
# options, logging, stopping what they start, the local PostgreSQL, keys and token, S3Proxy, Lifeboat,
# the RSS sampler, CPU accounting and the wait for a quiet machine, Lifeboat jobs through the API, and
# the arithmetic and report of the figures. What they measure, and how, stays in each script.
#
# Everything here runs in the sourcing shell, never in a subshell of its own: the processes it starts are
# the script's children (their CPU time lands where the accounting below looks for it), and a failure
# stops the script (set -euo pipefail is the script's). Functions read the script's settings, set before
# they are called:
#   WORK         the script's directory under target/ (0700: keys, secrets, S3Proxy's files, logs)
#   SCALES RUNS MAX_ATTEMPTS XMX BUILD JAR BUSY DIAGNOSE  the options below (common_arg)
#   OUR_DBS      glob patterns of the databases whose backends count as the benchmark's (CPU accounting)
#   SVC_CHILD    the tool Lifeboat runs as a child for these jobs (pg_dump, pg_restore)
#   SCRIPT_TOOLS what the script itself runs, for the CPU report ("raw pg_dump, curl")
#   REPORT       the report file (say, finish_report)
# and define cleanup_more (its part of the clean-up on exit) and, optionally, job_posted (job_run).
# shellcheck shell=bash
# shellcheck disable=SC2034 # most variables set here are the scripts' to read

# ---- options --------------------------------------------------------------------------------------------
# usage: prints the script's header comment (its usage).
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
# common_arg "$@": takes the option in $1 (and its value in $2) if both scripts have it, setting
# ARG_SHIFT to the number of words taken; returns 1 for any other option.
common_arg() {
  ARG_SHIFT=1
  case "$1" in
    --scales) SCALES=$2; ARG_SHIFT=2 ;;
    --scales=*) SCALES=${1#*=} ;;
    --runs) RUNS=$2; ARG_SHIFT=2 ;;
    --runs=*) RUNS=${1#*=} ;;
    --xmx) XMX=$2; ARG_SHIFT=2 ;;
    --xmx=*) XMX=${1#*=} ;;
    --max-attempts) MAX_ATTEMPTS=$2; ARG_SHIFT=2 ;;
    --max-attempts=*) MAX_ATTEMPTS=${1#*=} ;;
    --busy) BUSY=$2; ARG_SHIFT=2 ;;
    --busy=*) BUSY=${1#*=} ;;
    --no-build) BUILD=0 ;;
    --jar) JAR=$2; BUILD=0; ARG_SHIFT=2 ;;
    --jar=*) JAR=${1#*=}; BUILD=0 ;;
    --no-diagnose) DIAGNOSE=0 ;;
    *) return 1 ;;
  esac
}
# check_scales_runs: SCALES -> SCALE_LIST; RUNS checked; MAX_ATTEMPTS defaults to 3 x RUNS. Exits 2 on a
# bad value.
check_scales_runs() {
  local s
  IFS=, read -r -a SCALE_LIST <<< "$SCALES"
  for s in "${SCALE_LIST[@]}"; do [[ $s =~ ^[1-9][0-9]*$ ]] || { echo "bad scale '$s'" >&2; exit 2; }; done
  [[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs '$RUNS'" >&2; exit 2; }
  MAX_ATTEMPTS=${MAX_ATTEMPTS:-$((RUNS * 3))}
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---- processes we start; stopped on exit ------------------------------------------------------------
S3_PID= SVC_PID= SAMPLER_PID= EXTRA_PIDS=
# The EXIT trap (the script sets `trap cleanup EXIT` and `trap 'exit 130' INT TERM` once WORK is set):
# stops the sampler, Lifeboat, the script's EXTRA_PIDS (space-separated) and S3Proxy, whichever were
# started (TERM, and CONT for a stopped one; KILL after 10 s), then runs the script's cleanup_more, and
# exits with the script's status.
cleanup() {
  local rc=$? pid
  for pid in $SAMPLER_PID $SVC_PID $EXTRA_PIDS $S3_PID; do
    if kill "$pid" 2>/dev/null; then kill -CONT "$pid" 2>/dev/null || true; fi
  done
  for pid in $SAMPLER_PID $SVC_PID $EXTRA_PIDS $S3_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  cleanup_more
  exit $rc
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- PostgreSQL: the test superuser, password only in a 0600 PGPASSFILE -----------------------------
# pg_connect [role password]: scripts/pg-setup.sh test, then PGHOST/PGPORT/PGUSER=lifeboat_test and a
# PGPASSFILE in WORK for every client of this script (psql, pgbench, pg_dump, pg_restore), with a line
# for <role> too if given (the password goes into the file with a builtin, never onto an argument list).
# -> PGPORT, PG_VERSION, PG_DATA
# shellcheck disable=SC2120 # its arguments are optional
pg_connect() {
  PGPORT=$(scripts/pg-setup.sh test | sed -n 's/^PGPORT=//p')
  [ -n "$PGPORT" ] || die "scripts/pg-setup.sh test printed no PGPORT"
  unset PGPASSWORD PGSERVICE PGDATABASE
  export PGHOST=127.0.0.1 PGPORT PGUSER=lifeboat_test PGPASSFILE=$WORK/pgpass
  (umask 077
   { printf '127.0.0.1:%s:*:lifeboat_test:lifeboat_test\n' "$PGPORT"
     [ $# = 0 ] || printf '127.0.0.1:%s:*:%s:%s\n' "$PGPORT" "$1" "$2"; } > "$PGPASSFILE")
  PG_VERSION=$(psql_q -d postgres -c 'SHOW server_version')
  PG_DATA=$(psql_q -d postgres -c 'SHOW data_directory' 2>/dev/null || true)
}
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
pg_free_mb() { df -Pm "${PG_DATA:-/var/lib/postgresql}" 2>/dev/null | awk 'NR == 2 { print $4 }'; }

# target_role ROLE: makes the targets' role, not a superuser on purpose: CREATEDB for the scratch databases,
# pg_read_all_data to dump the bench databases (owned by lifeboat_test). A superuser target would let each
# drill's sweep of "leftover" lifeboat_drill_* databases (which knows only its own service's jobs)
# force-drop the scratch databases of any other Lifeboat on this server. Its password is random, kept in
# $WORK/target-password (0600) -> TPW, and goes to psql through stdin, never onto an argument list.
# Connects the script as the test superuser first (pg_connect).
target_role() {
  local role=$1
  [ -s "$WORK/target-password" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/target-password")
  TPW=$(cat "$WORK/target-password")
  pg_connect "$role" "$TPW"
  psql_q -d postgres -v name="$role" >/dev/null <<SQL
\\set pw '$TPW'
SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER CREATEDB PASSWORD %L', :'name', :'pw') \gexec
SELECT format('GRANT pg_read_all_data TO %I', :'name') \gexec
SQL
}

ensure_db() { # scale: database bench_s<scale> with pgbench data of that scale (shared by both scripts)
  local scale=$1 db=bench_s$1 rows
  rows=$(psql_q -d "$db" -c 'SELECT count(*) FROM pgbench_accounts' 2>/dev/null || echo 0)
  if [ "$rows" = "$((scale * 100000))" ]; then
    log "$db exists with $rows accounts: reused"
    return
  fi
  local need_mb=$((scale * 16 * 3 / 2 + 2048)) avail_mb
  avail_mb=$(pg_free_mb)
  [ -z "$avail_mb" ] || [ "$avail_mb" -ge "$need_mb" ] \
    || die "$db needs about $need_mb MB on the PostgreSQL disk, $avail_mb MB free: use smaller --scales"
  log "creating $db: pgbench -i -s $scale (about $((scale * 15)) MB)"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  pgbench -i -q -s "$scale" "$db" > "$WORK/init_$db.log" 2>&1 || { cat "$WORK/init_$db.log" >&2; die "pgbench -i"; }
  psql_q -d "$db" -c 'CHECKPOINT' >/dev/null
}

# ---- keys and token -----------------------------------------------------------------------------------
make_keys() { # kept in WORK (0600) and reused: -> RECIPIENT (of the age key), TOKEN (+ curl-auth.cfg), S3_ID (+ s3-secret)
  [ -s "$WORK/age-key.txt" ] || (umask 077; age-keygen -o "$WORK/age-key.txt" 2>/dev/null)
  RECIPIENT=$(age-keygen -y "$WORK/age-key.txt")
  [ -s "$WORK/token" ] || (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$WORK/token")
  TOKEN=$(cat "$WORK/token")
  # api()'s header, in a file so that the token never shows on curl's argument list
  (umask 077; printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" > "$WORK/curl-auth.cfg")
  S3_ID=bench-access
  [ -s "$WORK/s3-secret" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/s3-secret")
}

# ---- S3Proxy: its own JVM, filesystem backend under WORK/s3 -------------------------------------------
start_s3proxy() { # -> S3_PORT, S3_PID; the bucket "bench" is the directory WORK/s3/bench
  local code=
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
}

# ---- Lifeboat -------------------------------------------------------------------------------------------
# start_lifeboat db role -Dproperty...: builds Lifeboat unless BUILD=0, (re)creates its own database <db>,
# starts JAR with -Xmx$XMX on a free port (launch_lifeboat) and waits until it is ready (wait_ready).
# -> API, SVC_PID, IDLE_RSS_KB
start_lifeboat() {
  local db=$1 role=$2 http_port
  shift 2
  if [ "$BUILD" = 1 ]; then
    log "building Lifeboat (./mvnw -B -q package -DskipTests)"
    ./mvnw -B -q package -DskipTests >&2
  fi
  [ -f "$JAR" ] || die "no $JAR (run without --no-build)"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  http_port=$(free_port)
  API=http://127.0.0.1:$http_port
  log "starting Lifeboat with -Xmx$XMX $JVM_OPTS${MALLOC_ARENAS:+ MALLOC_ARENA_MAX=$MALLOC_ARENAS} on $API ($JAR)"
  launch_lifeboat "$WORK/lifeboat.log" "$http_port" "jdbc:postgresql://127.0.0.1:$PGPORT/$db" "$role" "$@"
  SVC_PID=$LAUNCHED_PID
  wait_ready "$API" "$SVC_PID" "$WORK/lifeboat.log" 600 || die "Lifeboat did not get ready"
  IDLE_RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SVC_PID/status")
  log "Lifeboat ready (pid $SVC_PID, RSS $((IDLE_RSS_KB / 1024)) MB idle)"
}
# launch_lifeboat log http_port jdbc_url role -Dproperty...: starts JAR in the background (its output to
# <log>) with -Xmx$XMX, Lifeboat's database at <jdbc_url> as lifeboat_test, a token of <role> (TOKEN; only
# its hash is configured), the storage "s3" on S3Proxy (path-style, prefix lifeboat), the age RECIPIENT
# and the given properties (the script's storages, targets, ...). Does not wait. -> LAUNCHED_PID
LAUNCHED_PID=
# The JVM options the container image starts Lifeboat with (its JAVA_OPTS, less MaxRAMPercentage: the
# benchmarks give -Xmx), so that the figures are the shipped configuration's. BENCH_JVM_OPTS overrides
# them (e.g. BENCH_JVM_OPTS= for the JVM's defaults).
IMAGE_JVM_OPTS=$(sed -n 's/^ *JAVA_OPTS="\([^"]*\)".*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../src/main/docker/Dockerfile.jvm" \
  | tr ' ' '\n' | grep -v MaxRAMPercentage | tr '\n' ' ')
JVM_OPTS=${BENCH_JVM_OPTS-$IMAGE_JVM_OPTS}
# The image's MALLOC_ARENA_MAX (glibc's malloc arenas) too; BENCH_MALLOC_ARENA_MAX overrides, empty for
# glibc's default (8 per core).
IMAGE_MALLOC_ARENA_MAX=$(sed -n 's/^ *MALLOC_ARENA_MAX=\([0-9]*\).*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../src/main/docker/Dockerfile.jvm")
MALLOC_ARENAS=${BENCH_MALLOC_ARENA_MAX-$IMAGE_MALLOC_ARENA_MAX}
launch_lifeboat() {
  local log_file=$1 http_port=$2 jdbc_url=$3 role=$4
  shift 4
  # Secrets go through the environment and files, never the command line. JVM_OPTS is a list of options.
  # shellcheck disable=SC2086
  QUARKUS_DATASOURCE_PASSWORD=lifeboat_test \
  BENCH_TOKEN_HASH="sha256:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" \
  BENCH_S3_SECRET="$(cat "$WORK/s3-secret")" \
  env ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} \
  java "-Xmx$XMX" $JVM_OPTS \
    -Dquarkus.http.port="$http_port" \
    -Dquarkus.datasource.jdbc.url="$jdbc_url" \
    -Dquarkus.datasource.username=lifeboat_test \
    -Dlifeboat.auth.tokens.bench.hash='${BENCH_TOKEN_HASH}' \
    -Dlifeboat.auth.tokens.bench.role="$role" \
    -Dlifeboat.storage.s3.type=s3 \
    -Dlifeboat.storage.s3.endpoint="http://127.0.0.1:$S3_PORT" \
    -Dlifeboat.storage.s3.bucket=bench \
    -Dlifeboat.storage.s3.region=us-east-1 \
    -Dlifeboat.storage.s3.path-style=true \
    -Dlifeboat.storage.s3.access-key-id="$S3_ID" \
    -Dlifeboat.storage.s3.secret-access-key='${BENCH_S3_SECRET}' \
    -Dlifeboat.storage.s3.prefix=lifeboat \
    -Dlifeboat.encryption.recipients="$RECIPIENT" \
    "$@" \
    -jar "$JAR" > "$log_file" 2>&1 &
  LAUNCHED_PID=$!
}
# wait_ready api pid log tenths: waits up to <tenths> x 0.1 s for <api>/q/health/ready; returns 1 (after
# printing the log's tail) if the process exited or it did not get ready.
wait_ready() {
  local i
  for ((i = 0; i < $4; i++)); do
    curl -sf -o /dev/null "$1/q/health/ready" && return 0
    kill -0 "$2" 2>/dev/null || { tail -40 "$3" >&2; log "Lifeboat (pid $2) exited during start-up"; return 1; }
    sleep 0.1
  done
  curl -sf -o /dev/null "$1/q/health/ready" && return 0
  tail -40 "$3" >&2
  log "Lifeboat (pid $2) not ready after $(($4 / 10)) s"
  return 1
}

# ---- RSS sampler: VmRSS of the service every 100 ms, "epoch kB" lines ----------------------------------
start_rss_sampler() { # -> RSS_LOG, SAMPLER_PID
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
}
peak_rss_kb() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { print m + 0 }' "$RSS_LOG"; }
reset_hwm() { echo 5 > "/proc/$SVC_PID/clear_refs" 2>/dev/null || true; }   # resets VmHWM (Linux >= 4.0)
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SVC_PID/status"; }

# ---- CPU accounting: machine busy vs the benchmark's own processes ------------------------------------
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# utime+stime+cutime+cstime (ticks) of: the PostgreSQL server's processes except backends of databases
# other than OUR_DBS (our exited backends, such as pg_dump's, are in the postmaster's cutime: so are
# other clients' exited backends, which therefore count as ours, a limitation), Lifeboat (its SVC_CHILD
# children end up in its cutime), S3Proxy, this script (its raw pg_dump or pg_restore, psql, curl) and
# the sampler.
# (Read with bash builtins only: other clients may hold a hundred backends, and a fork per process
# would itself cost CPU seconds per measurement.)
our_pg_pids() { # -> PG_PIDS
  local pid words comm pattern ours
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
      ours=
      for pattern in "${OUR_DBS[@]}"; do
        # shellcheck disable=SC2053 # a glob pattern on purpose
        [[ ${words[1]} == $pattern ]] && { ours=1; break; }
      done
      [ -n "$ours" ] || continue
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
# (lifeboat_children = its SVC_CHILD; script = SCRIPT_TOOLS).
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
  awk -v a="$GROUPS_A" -v b="$(cpu_groups)" -v hz="$HZ" -v child="$SVC_CHILD" -v script="$SCRIPT_TOOLS" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "postgres %.1f, Lifeboat JVM %.1f, its %s %.1f, S3Proxy %.1f, this script (%s) %.1f CPU-s",
      (y[1] - x[1]) / hz, (y[2] - x[2]) / hz, child, (y[3] - x[3]) / hz, (y[4] - x[4]) / hz, script, (y[5] - x[5]) / hz }'
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

# ---- Lifeboat jobs through the API ----------------------------------------------------------------------
# (job_run sets globals instead of printing, so that it runs in the script's shell: a failure stops the
# script.)
api() { curl -sS --fail-with-body -K "$WORK/curl-auth.cfg" "$@"; }
QUEUED_LIMIT=${BENCH_QUEUED_LIMIT:-120}   # seconds a job may stay queued before we give up
# POSTs a job and waits for it: path json [sample] -> LAST_JOB (the job's JSON file), SECS from the POST
# to the client seeing the terminal state, JOB_ID; a job that does not succeed stops the script. Calls
# job_posted <path> as soon as the job id is known, if the script defines it. With "sample", the job is
# polled every 0.2 s instead of long-polled, PHASES says when its progress phase changed, and
# CHILD_START/CHILD_END when the service's SVC_CHILD was first seen running and then gone (for the
# diagnosis only).
SECS= LAST_JOB= JOB_ID= PHASES= CHILD_START= CHILD_END=
job_run() {
  local t0 t1 status code loc= line phase last= body=$WORK/job.json hdr=$WORK/job.hdr
  t0=$(now)
  code=$(api -D "$hdr" -o "$body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$2" "$API$1") \
    || { cat "$body" >&2; die "POST $1 $2 failed"; }
  JOB_ID=$(jq -r .id "$body")
  while IFS= read -r line; do   # the last Location header (builtins only: this is inside the timed run)
    line=${line%$'\r'}
    case "$line" in [Ll]ocation:*) loc=${line#*:}; loc=${loc#"${loc%%[! ]*}"} ;; esac
  done < "$hdr"
  [ "$code" = 202 ] && [ -n "$JOB_ID" ] && [ "$JOB_ID" != null ] && [ -n "$loc" ] \
    || { cat "$hdr" "$body" >&2; die "POST $1: HTTP $code, no job id or Location"; }
  ! declare -F job_posted >/dev/null || job_posted "$1"
  PHASES= CHILD_START= CHILD_END=
  while :; do
    if [ "${3:-}" = sample ]; then
      api "$loc" > "$body"
      phase=$(jq -r '.progress.phase // "-"' "$body")
      if [ "$phase" != "$last" ]; then PHASES+="$phase@$(elapsed "$t0" "$(now)") "; last=$phase; fi
      if svc_runs_child; then
        [ -n "$CHILD_START" ] || CHILD_START=$(elapsed "$t0" "$(now)")
      elif [ -n "$CHILD_START" ] && [ -z "$CHILD_END" ]; then
        CHILD_END=$(elapsed "$t0" "$(now)")
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
svc_runs_child() { # true while the service has a SVC_CHILD child (builtins only)
  local f pid comm kids
  for f in /proc/"$SVC_PID"/task/*/children; do
    kids=()
    read -r -a kids 2>/dev/null < "$f" || true   # the list has no trailing newline: read "fails" at EOF
    for pid in "${kids[@]}"; do
      read -r comm 2>/dev/null < "/proc/$pid/comm" && [ "$comm" = "$SVC_CHILD" ] && return 0
    done
  done
  return 1
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

# ---- figures and report ---------------------------------------------------------------------------------
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { tr ' ' '\n' | grep . | sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

log_machine() { # before the measurement: the machine, the versions (of SVC_CHILD too) and the load
  log "machine: $NCPU CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $PG_VERSION, $("$SVC_CHILD" --version), $(java -version 2>&1 | head -1)"
  log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}
log_after() { log "load average after: $(cut -d' ' -f1-3 /proc/loadavg); Lifeboat idle RSS after start-up $(mb "$IDLE_RSS_KB") MB"; }
say() { log "$*"; echo "$*" >> "$REPORT"; }   # a line for the log and the report
# finish_report name summary: the summary becomes the report's last line; the report goes to
# target/bench/<name>-report.txt, the summary alone to target/bench/<name>.txt; prints the report, so
# that the LAST line printed is the summary.
finish_report() {
  echo "$2" >> "$REPORT"
  cp "$REPORT" "$ROOT/target/bench/$1-report.txt"
  echo "$2" > "$ROOT/target/bench/$1.txt"
  echo
  sed '$d' "$REPORT"
  echo "$2"
}
