#!/usr/bin/env bash
# Starts the search function for a local cluster: a PostgreSQL of its own (data in /tmp, since PostgreSQL runs
# as the postgres user and must reach its data directory), the function on loopback, indexing README.md and
# docs/*.md, and registers it with the cluster as the function and MCP tool "search".
#
#   deploy/functions/search/start-local.sh RUN_DIR CLUSTER_URL      (deploy/local-cluster.sh --with-search calls it)
#   SEARCH_PG_PORT (54329) and SEARCH_PORT (7071) override the ports.
set -euo pipefail
cd "$(dirname "$0")/../../.."
run_dir="$1"
cluster="$2"
pg_port="${SEARCH_PG_PORT:-54329}"
port="${SEARCH_PORT:-7071}"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 1; }
pg_data=$(mktemp -d /tmp/sse-search-pg.XXXXXX)
echo "$pg_data" >"$run_dir/postgres-dir" # first, so the stop script cleans up even after a failed start
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_data"
chmod 700 "$pg_data"
as_postgres "$pg_bin/initdb -D $pg_data -A trust -U postgres -E UTF8 >/dev/null"
as_postgres "$pg_bin/pg_ctl -D $pg_data -w -l $pg_data/server.log -o '-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1' start >/dev/null"
echo "postgres 127.0.0.1:$pg_port (data in $pg_data)"

dotnet build deploy/functions/search -c Release -nologo -clp:ErrorsOnly >/dev/null
PORT="$port" Search__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" Search__CorpusRoot="$PWD" \
  nohup dotnet deploy/functions/search/bin/Release/net10.0/SseVirtualization.Search.dll >"$run_dir/search.log" 2>&1 &
echo $! >"$run_dir/search.pid"
# It answers only once the corpus is indexed: ~1 min of CPU on 2 cores for this project's docs, and several minutes
# when the machine is busy (a 2-minute deadline here was seen to give up on a function that went on to start).
echo "search  indexing README.md and docs/*.md before it serves (a minute or more; log $run_dir/search.log)"
for attempt in $(seq 1 1200); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
  if ! kill -0 "$(cat "$run_dir/search.pid")" 2>/dev/null || [ "$attempt" = 1200 ]; then
    echo "The search function did not start within 10 minutes; its log:" >&2
    tail -n 20 "$run_dir/search.log" >&2
    kill -TERM "$(cat "$run_dir/search.pid")" 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
echo "search  http://127.0.0.1:$port (pid $(cat "$run_dir/search.pid"), log $run_dir/search.log)"

curl -sS --fail-with-body -o /dev/null -X POST "$cluster/admin/functions" -H 'Content-Type: application/json' -d @- <<JSON
{"name":"search","endpoint":"http://127.0.0.1:$port/","description":"Semantic search over this project's documentation: ranked passages, best first",
 "input_schema":{"type":"object","properties":{"q":{"type":"string","description":"What to look for"},"limit":{"type":"integer","minimum":1,"maximum":50}},"required":["q"]}}
JSON
echo "registered \"search\": curl -N \"$cluster/mcp/stream?function=search&q=how+do+clients+resume\""
