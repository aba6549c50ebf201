#!/usr/bin/env bash
# Starts a real multi-silo cluster on this machine without Docker: a redis-server (AOF on) and N silos,
# each with its own HTTP, silo and gateway ports, all bound to loopback. PIDs and logs go to a run folder;
# deploy/stop-local-cluster.sh stops everything this started.
#
#   deploy/local-cluster.sh [silos=3] [--with-search] [--no-build]      HTTP on 8080, 8081, ...; Redis on 6380
#
# It builds Silo (Release) first; a failed build prints the build's errors and starts nothing. --no-build runs
# what is built, and SILO_DLL=path runs that silo build instead (and skips the build). If anything fails to
# start, what it printed is shown and everything this run started is stopped again. A silo that does not answer
# within SILO_START_TIMEOUT seconds (60) counts as failed.
#
# Environment (all optional): RUN_DIR, REDIS_PORT, BASE_HTTP_PORT, BASE_SILO_PORT, BASE_GATEWAY_PORT,
# CLUSTER_ID, SILO_START_TIMEOUT, SILO_DLL. Function egress: this is a development cluster, so the silos allow
# function endpoints on this machine (Functions__AllowLoopback=true) and refuse private networks
# (Functions__AllowPrivateNetworks=false) unless the environment says otherwise, and serve the sample functions of
# the README's quick start (Samples__Enabled=true) at /samples/ on every silo, e.g.
#   Functions__AllowLoopback=false Functions__AllowPrivateNetworks=true Samples__Enabled=false deploy/local-cluster.sh 2
# Any other setting in the environment (Security__ApiKeys__0__Hash, Gateway__..., docs/configuration.md) reaches
# the silos as it is.
#
# --with-search also starts PostgreSQL (port SEARCH_PG_PORT, 54329) and the search function
# (deploy/functions/search, port SEARCH_PORT, 7071), indexes README.md and docs/*.md, and registers it as the
# function and MCP tool "search": curl -N "http://127.0.0.1:8080/mcp/stream?function=search&q=how+do+clients+resume"
set -euo pipefail
# RUN_DIR and SILO_DLL may be relative to where this is run from; everything else is relative to the repository.
[ -n "${RUN_DIR:-}" ] && RUN_DIR=$(realpath -m "$RUN_DIR")
[ -n "${SILO_DLL:-}" ] && SILO_DLL=$(realpath -m "$SILO_DLL")
cd "$(dirname "$0")/.."

silos=3
with_search=false
build=true
for argument in "$@"; do
  case "$argument" in
    --with-search) with_search=true ;;
    --no-build) build=false ;;
    '' | *[!0-9]*) echo "Unknown argument: $argument (usage: deploy/local-cluster.sh [silos] [--with-search] [--no-build])" >&2; exit 2 ;;
    *) silos="$argument" ;;
  esac
done
run_dir="${RUN_DIR:-$PWD/.run/local-cluster}"
redis_port="${REDIS_PORT:-6380}"
http_port="${BASE_HTTP_PORT:-8080}"
silo_port="${BASE_SILO_PORT:-11111}"
gateway_port="${BASE_GATEWAY_PORT:-30000}"
cluster_id="${CLUSTER_ID:-local-cluster}"
start_timeout="${SILO_START_TIMEOUT:-60}"
allow_loopback="${Functions__AllowLoopback:-true}"
allow_private_networks="${Functions__AllowPrivateNetworks:-false}"
samples="${Samples__Enabled:-true}"
dll="${SILO_DLL:-$PWD/Silo/bin/Release/net10.0/SseVirtualization.Silo.dll}"
[ -n "${SILO_DLL:-}" ] && build=false

command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)." >&2; exit 1; }
if [ -e "$run_dir/redis.pid" ]; then
  if grep -qa redis-server "/proc/$(cat "$run_dir/redis.pid")/cmdline" 2>/dev/null; then
    echo "A local cluster is already running from $run_dir (deploy/stop-local-cluster.sh stops it)." >&2
    exit 1
  fi
  # A run that was killed before it could clean up: stop whatever of it is left.
  RUN_DIR="$run_dir" deploy/stop-local-cluster.sh >/dev/null
fi

# Build before anything starts, so a build error leaves nothing running.
if [ "$build" = true ]; then
  echo "building Silo (Release)..."
  if ! build_output=$(dotnet build Silo -c Release -nologo -clp:ErrorsOnly 2>&1); then
    echo "Building the silo failed; nothing was started. The build said:" >&2
    echo "$build_output" >&2
    exit 1
  fi
fi
[ -f "$dll" ] || { echo "No silo build at $dll (build it, or drop --no-build / fix SILO_DLL)." >&2; exit 1; }
dll=$(realpath "$dll") # the silos start from its folder

# From here on, any failure (or Ctrl-C) stops everything this run started.
mkdir -p "$run_dir/redis"
started=false
clean_up() {
  if [ "$started" != true ]; then
    echo "Stopping what this run started..." >&2
    RUN_DIR="$run_dir" deploy/stop-local-cluster.sh >/dev/null 2>&1 || true
  fi
}
trap clean_up EXIT
trap 'exit 130' INT TERM

# Prints the last lines of a log to stderr, under a heading.
show_log() {
  echo "--- last lines of $1:" >&2
  tail -n 40 "$1" >&2 || true
  echo "---" >&2
}

# Waits until $3 answers, while the process $2 (named $1) lives, at most start_timeout seconds; $4 is its log.
wait_until_up() {
  local what="$1" pid="$2" probe="$3" log="$4" deadline=$((SECONDS + start_timeout))
  until eval "$probe"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$what exited during start-up." >&2
      show_log "$log"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$what did not answer within ${start_timeout} s (SILO_START_TIMEOUT)." >&2
      show_log "$log"
      exit 1
    fi
    sleep 0.2
  done
}

# Not daemonized, so its PID is known at once and the check below finds a redis-server that could not bind.
redis_probe="[ \"\$(timeout 2 redis-cli -p $redis_port info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')\" = \"\$redis_pid\" ]"
nohup redis-server --port "$redis_port" --bind 127.0.0.1 --appendonly yes --dir "$run_dir/redis" \
  --logfile "$run_dir/redis.log" >/dev/null 2>&1 &
redis_pid=$!
echo "$redis_pid" >"$run_dir/redis.pid"
wait_until_up "redis-server on port $redis_port" "$redis_pid" "$redis_probe" "$run_dir/redis.log"
echo "redis   127.0.0.1:$redis_port (pid $redis_pid, AOF in $run_dir/redis)"

for i in $(seq 0 $((silos - 1))); do
  # Started from the folder of its build, where its appsettings.json is.
  (
    cd "$(dirname "$dll")"
    PORT=$((http_port + i)) SILO_PORT=$((silo_port + i)) GATEWAY_PORT=$((gateway_port + i)) \
    REDIS_ADDR="127.0.0.1:$redis_port" CLUSTER_ID="$cluster_id" SERVICE_ID="$cluster_id" \
    Functions__AllowLoopback="$allow_loopback" Functions__AllowPrivateNetworks="$allow_private_networks" Samples__Enabled="$samples" \
      exec nohup dotnet "$dll"
  ) >"$run_dir/silo-$i.log" 2>&1 &
  echo $! >"$run_dir/silo-$i.pid"
done
for i in $(seq 0 $((silos - 1))); do
  port=$((http_port + i))
  wait_until_up "silo $i (HTTP port $port, silo port $((silo_port + i)), gateway port $((gateway_port + i)))" \
    "$(cat "$run_dir/silo-$i.pid")" "curl -sf --max-time 2 -o /dev/null http://127.0.0.1:$port/health/ready" "$run_dir/silo-$i.log"
  echo "silo $i  http://127.0.0.1:$port  (pid $(cat "$run_dir/silo-$i.pid"), log $run_dir/silo-$i.log)"
done
echo "function egress: loopback $allow_loopback, private networks $allow_private_networks (Functions__AllowLoopback, Functions__AllowPrivateNetworks); sample functions at /samples/: $samples (Samples__Enabled)"

if [ "$with_search" = true ]; then
  deploy/functions/search/start-local.sh "$run_dir" "http://127.0.0.1:$http_port"
fi
started=true
if [ -n "${RUN_DIR:-}" ]; then echo "Stop with: RUN_DIR=$run_dir deploy/stop-local-cluster.sh"
else echo "Stop with: deploy/stop-local-cluster.sh"; fi
