#!/usr/bin/env bash
# The test command: installs what the tests need (redis-server, nginx, chromium from apt), builds, runs every test project,
# and ends with one line "N passed, N failed[, N skipped]" counted from the test results.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real parts the tests run: Redis, nginx (the deployed load-balancer configuration), Chromium (the console),
# PostgreSQL (the search function's index; the tests start their own server, as the postgres user).
export PATH="$PATH:/usr/sbin"
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
# A client whose network vanishes (DeadPeerTests): a network namespace and a veth pair (ip), a client inside it (curl).
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
# Offline checks of deploy/ (Deploy.DeployValidatorTests): yamllint and docker-compose v1 from Debian. kubectl (for
# kubectl kustomize) comes with these machines; Debian's kubernetes-client is too old for the overlays' kustomize syntax.
command -v yamllint >/dev/null 2>&1 || missing="$missing yamllint"
command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"
command -v kubectl >/dev/null 2>&1 || echo "kubectl is not installed: the Kubernetes checks in Deploy.DeployValidatorTests will fail." >&2
if [ -n "$missing" ]; then
  echo "Installing$missing with apt-get..."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

# The MCP tests drive real Node.js clients and servers (official TypeScript SDK, server-everything, the
# conformance suite), pinned in tests/McpClients/package-lock.json.
npm ci --prefix tests/McpClients --no-audit --no-fund --loglevel=error >/dev/null
# The deploy validators (kubernetes-models, dockerfilelint), pinned in tests/DeployLint/package-lock.json.
npm ci --prefix tests/DeployLint --no-audit --no-fund --loglevel=error >/dev/null
# The API document's linter (@redocly/cli), pinned in tests/OpenApiLint/package-lock.json.
npm ci --prefix tests/OpenApiLint --no-audit --no-fund --loglevel=error >/dev/null
# Kiota, which generates the API client in tests/ApiClient from docs/openapi/v1.json, pinned in .config/dotnet-tools.json.
dotnet tool restore >/dev/null

configuration="${CONFIGURATION:-Release}"
results=".artifacts/test-results"
rm -rf "$results"

if ! dotnet build Orleans.sln -c "$configuration" -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
status=0
dotnet test Orleans.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run failed before any test could report (build error, crashed test host)
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
