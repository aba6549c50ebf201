#!/usr/bin/env bash
# Stops what deploy/local-cluster.sh started: each silo gracefully (SIGTERM: clients are told to move), then Redis,
# and returns once they are gone. RUN_DIR names the run folder, as for local-cluster.sh.
set -euo pipefail
[ -n "${RUN_DIR:-}" ] && RUN_DIR=$(realpath -m "$RUN_DIR") # relative to where this is run from
cd "$(dirname "$0")/.."
run_dir="${RUN_DIR:-$PWD/.run/local-cluster}"

# SIGTERM, then up to 30 s to exit, then SIGKILL; only if the PID still runs the program named $2 (a PID left in a
# file by a run that died may belong to another process by now).
stop_process() {
  local pid="$1"
  grep -qa -- "$2" "/proc/$pid/cmdline" 2>/dev/null || return 0
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

for pidfile in "$run_dir"/silo-*.pid; do
  [ -e "$pidfile" ] || continue
  stop_process "$(cat "$pidfile")" dotnet &
done
wait # the silos drain in parallel
rm -f "$run_dir"/silo-*.pid
if [ -e "$run_dir/search.pid" ]; then
  stop_process "$(cat "$run_dir/search.pid")" dotnet
  rm -f "$run_dir/search.pid"
fi
if [ -e "$run_dir/postgres-dir" ]; then
  pg_data=$(cat "$run_dir/postgres-dir")
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $pg_data -m fast -w stop" >/dev/null 2>&1 || true
  else "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$pg_data" # the search index is rebuilt from the docs at the next start
  rm -f "$run_dir/postgres-dir"
fi
if [ -e "$run_dir/redis.pid" ]; then
  stop_process "$(cat "$run_dir/redis.pid")" redis-server
  rm -f "$run_dir/redis.pid"
fi
echo "Local cluster stopped (data kept in $run_dir/redis)."
