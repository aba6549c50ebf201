#!/usr/bin/env bash
# Starts a real multi-silo cluster on this machine without Docker: a redis-server (AOF on) and N silos,
# each with its own HTTP, silo and gateway ports, all bound to loopback. PIDs and logs go to a run folder;
# deploy/stop-local-cluster.sh stops everything this started.
#
#   deploy/local-cluster.sh [silos=3] [--with-search]   HTTP on 8080, 8081, ...; Redis on 6380
#   RUN_DIR, REDIS_PORT, BASE_HTTP_PORT, BASE_SILO_PORT, BASE_GATEWAY_PORT, CLUSTER_ID override the defaults.
#
# --with-search also starts PostgreSQL (port SEARCH_PG_PORT, 54329) and the search function
# (deploy/functions/search, port SEARCH_PORT, 7071), indexes README.md and docs/*.md, and registers it as the
# function and MCP tool "search" (the silos then allow loopback function endpoints, which a Redis-backed silo
# otherwise refuses): curl -N "http://127.0.0.1:8080/mcp/stream?function=search&q=how+do+clients+resume"
set -euo pipefail
cd "$(dirname "$0")/.."

silos=3
with_search=false
for argument in "$@"; do
  case "$argument" in
    --with-search) with_search=true ;;
    *) silos="$argument" ;;
  esac
done
run_dir="${RUN_DIR:-$PWD/.run/local-cluster}"
redis_port="${REDIS_PORT:-6380}"
http_port="${BASE_HTTP_PORT:-8080}"
silo_port="${BASE_SILO_PORT:-11111}"
gateway_port="${BASE_GATEWAY_PORT:-30000}"
cluster_id="${CLUSTER_ID:-local-cluster}"

if [ -e "$run_dir/redis.pid" ]; then
  echo "A local cluster is already running from $run_dir (deploy/stop-local-cluster.sh stops it)." >&2
  exit 1
fi
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)." >&2; exit 1; }
mkdir -p "$run_dir/redis"

redis-server --port "$redis_port" --bind 127.0.0.1 --appendonly yes --dir "$run_dir/redis" \
  --daemonize yes --pidfile "$run_dir/redis.pid" --logfile "$run_dir/redis.log"
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
echo "redis   127.0.0.1:$redis_port (AOF in $run_dir/redis)"

dotnet build Silo -c Release -nologo -clp:ErrorsOnly >/dev/null
dll="$PWD/Silo/bin/Release/net10.0/SseVirtualization.Silo.dll"
for i in $(seq 0 $((silos - 1))); do
  PORT=$((http_port + i)) SILO_PORT=$((silo_port + i)) GATEWAY_PORT=$((gateway_port + i)) \
  REDIS_ADDR="127.0.0.1:$redis_port" CLUSTER_ID="$cluster_id" SERVICE_ID="$cluster_id" \
  Functions__AllowLoopback="$with_search" \
    nohup dotnet "$dll" >"$run_dir/silo-$i.log" 2>&1 &
  echo $! >"$run_dir/silo-$i.pid"
done
for i in $(seq 0 $((silos - 1))); do
  until curl -sf -o /dev/null "http://127.0.0.1:$((http_port + i))/admin/health"; do sleep 0.2; done
  echo "silo $i  http://127.0.0.1:$((http_port + i))  (pid $(cat "$run_dir/silo-$i.pid"), log $run_dir/silo-$i.log)"
done

if [ "$with_search" = true ]; then
  deploy/functions/search/start-local.sh "$run_dir" "http://127.0.0.1:$http_port"
fi
echo "Stop with: deploy/stop-local-cluster.sh"
