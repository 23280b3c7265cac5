#!/usr/bin/env bash
# Drill-server benchmark (issue #10): the same backup drilled on the target's own server and on a
# separate drill server (lifeboat.servers.drills, the request's "server"), alternately, so both see the
# same machine state. Prints each drill's job time and restore time, their medians per place, and the
# service's peak RSS. The LAST line printed is the summary; it is also written to
# target/bench/drill-server.txt. See bench/README.md, "Drill-server benchmark".
#
# Usage: bench/drill-server.sh [--scales 100] [--runs 3] [--xmx 256m] [--no-build] [--jar path]
#   --scales     pgbench scale factor(s): database bench_s<scale> (shared with the other benchmarks)
#   --runs       drills per place and scale (own, drill server, own, drill server, ...)
#   --xmx        the service's -Xmx
#   --no-build   use the existing target/quarkus-app instead of running ./mvnw package
#   --jar        run this Lifeboat build instead (implies --no-build)
#
# The drill server is a second PostgreSQL of the machine's major (Debian's initdb, pg_ctl), made in
# target/bench-drill-server-pg with a superuser of its own on a free port, started and stopped by this
# script. On one machine both servers share the disk and CPUs: the figures show what moving drills
# costs or saves in Lifeboat's own work (connections, a second server's caches), not the relief a
# production server gets from a drill server on other hardware, which is the reason to have one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD

SCALES=100 RUNS=3 MAX_ATTEMPTS= XMX=256m BUILD=1 BUSY=1 JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    *) common_arg "$@" || { echo "unknown argument: $1 (see --help)" >&2; exit 2; }; shift "$ARG_SHIFT" ;;
  esac
done
check_scales_runs
case "$JAR" in /*) ;; *) JAR=$ROOT/$JAR ;; esac
for tool in psql pgbench jq curl python3 java age-keygen; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/pg-setup.sh test installs PostgreSQL, age and jq)"
done

WORK=$ROOT/target/bench-drill-server
mkdir -p "$WORK" "$ROOT/target/bench"
chmod 700 "$WORK"
TROLE=bench_drill
SVC_CHILD=pg_restore
DS_STARTED=0
cleanup_more() { [ "$DS_STARTED" = 0 ] || as_pg "$BIN/pg_ctl" -D "$DS_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: the machine's server (targets, Lifeboat's own database) ----------------------------------
target_role "$TROLE"   # see bench/lib.sh
for s in "${SCALE_LIST[@]}"; do ensure_db "$s"; done

# ---- the drill server: a second cluster of the same major --------------------------------------------------
MAJOR=${PG_VERSION%%.*}
BIN=/usr/lib/postgresql/$MAJOR/bin
[ -x "$BIN/initdb" ] || die "no $BIN/initdb (the drill server is made with the machine's PostgreSQL $MAJOR)"
# Outside $WORK (0700, the invoking user's): when run as root, the cluster belongs to postgres, which must reach it.
DS_DIR=$ROOT/target/bench-drill-server-pg DS_USER=lifeboat_drills
[ -s "$WORK/drills-password" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$WORK/drills-password")
DS_PORT=$(free_port)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
rm -rf "$DS_DIR" && mkdir -p "$DS_DIR"
cp "$WORK/drills-password" "$DS_DIR/pw"
chmod 700 "$DS_DIR"
[ "$(id -u)" != 0 ] || chown -R postgres "$DS_DIR"
log "making the drill server (PostgreSQL $MAJOR) in $DS_DIR on port $DS_PORT"
as_pg "$BIN/initdb" -D "$DS_DIR/data" -U "$DS_USER" --pwfile="$DS_DIR/pw" --auth-host=scram-sha-256 --auth-local=peer \
  -E UTF8 --locale=C > "$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb"; }
# the same memory settings as the machine's server, so that the two compare
for k in shared_buffers work_mem maintenance_work_mem max_wal_size; do
  printf "%s = '%s'\n" "$k" "$(psql_q -d postgres -c "SHOW $k")" >> "$DS_DIR/data/postgresql.conf"
done
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$DS_PORT" "$DS_DIR" >> "$DS_DIR/data/postgresql.conf"
DS_STARTED=1
as_pg "$BIN/pg_ctl" -D "$DS_DIR/data" -l "$DS_DIR/server.log" -w start >/dev/null || { cat "$DS_DIR/server.log" >&2; die "pg_ctl start"; }
# the role restored objects belong to (restore.role: the target's username) must exist there
(umask 077; printf '127.0.0.1:%s:*:%s:%s\n' "$DS_PORT" "$DS_USER" "$(cat "$WORK/drills-password")" >> "$PGPASSFILE")
PGPORT=$DS_PORT PGUSER=$DS_USER psql_q -d postgres -c "CREATE ROLE $TROLE" >/dev/null

# ---- keys, S3Proxy, Lifeboat --------------------------------------------------------------------------------
make_keys
start_s3proxy
target_props=()
for s in "${SCALE_LIST[@]}"; do
  t=s$s
  target_props+=(-Dlifeboat.targets.$t.host=127.0.0.1 -Dlifeboat.targets.$t.port="$PGPORT"
    -Dlifeboat.targets.$t.database="bench_s$s" -Dlifeboat.targets.$t.username="$TROLE"
    -Dlifeboat.targets.$t.password-file="$WORK/target-password" -Dlifeboat.targets.$t.storage=s3
    -Dlifeboat.targets.$t.restore.servers=drills)
done
start_lifeboat lifeboat_bench_drill_server operator \
  -Dlifeboat.encryption.identity-file="$WORK/age-key.txt" \
  -Dlifeboat.servers.drills.host=127.0.0.1 -Dlifeboat.servers.drills.port="$DS_PORT" \
  -Dlifeboat.servers.drills.username="$DS_USER" -Dlifeboat.servers.drills.password-file="$WORK/drills-password" \
  "${target_props[@]}"
start_rss_sampler
log_machine

REPORT=$WORK/report.txt
: > "$REPORT"
summary=()
for s in "${SCALE_LIST[@]}"; do
  t=s$s
  job_run /api/v1/backups "{\"target\":\"$t\"}"
  id=$(jq -r .result.backupId "$LAST_JOB")
  log "backup of bench_s$s: $id, $(jq -r .result.sizeBytes "$LAST_JOB") bytes"
  own_job=() own_restore=() ds_job=() ds_restore=()
  t0=$(now)
  for ((i = 1; i <= RUNS; i++)); do
    for place in own drills; do
      psql_q -d postgres -c CHECKPOINT >/dev/null
      if [ "$place" = own ]; then body="{\"target\":\"$t\",\"backupId\":\"$id\"}"; else body="{\"target\":\"$t\",\"backupId\":\"$id\",\"server\":\"drills\"}"; fi
      job_run /api/v1/drills "$body"
      [ "$(jq -r .result.passed "$LAST_JOB")" = true ] || { jq .result "$LAST_JOB" >&2; die "drill on $place did not pass"; }
      js=$(job_seconds "$LAST_JOB")
      rs=$(jq -r .result.restoreSeconds "$LAST_JOB")
      where=$(jq -r '.result.versions.server // "own"' "$LAST_JOB")
      [ "$where" = "$([ "$place" = own ] && echo own || echo drills)" ] || die "the drill ran on '$where', not $place"
      say "scale $s run $i $place: job $js s, restore $rs s"
      if [ "$place" = own ]; then own_job+=("$js"); own_restore+=("$rs"); else ds_job+=("$js"); ds_restore+=("$rs"); fi
    done
  done
  peak=$(peak_rss_kb "$t0" "$(now)")
  oj=$(echo "${own_job[*]}" | median) or=$(echo "${own_restore[*]}" | median)
  dj=$(echo "${ds_job[*]}" | median) dr=$(echo "${ds_restore[*]}" | median)
  say "scale $s medians: own server job $oj s (restore $or s), drill server job $dj s (restore $dr s); ratio drill server/own $(ratio "$dj" "$oj"); peak RSS $(mb "$peak") MB"
  summary+=("s$s own ${oj}s drills ${dj}s ratio $(ratio "$dj" "$oj") peak $(mb "$peak")MB")
done
finish_report drill-server "drill-server bench ($RUNS runs each, -Xmx$XMX, PostgreSQL $PG_VERSION, both servers on this machine): ${summary[*]}"
