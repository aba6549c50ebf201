#!/usr/bin/env bash
# Run the official MCP conformance suite (server mode) against URL.
#
#   conformance.sh URL [--scenario NAME] [--expected-failures FILE] [--output-dir DIR] [other conformance server options...]
#
# Uses this folder's node_modules (run `npm ci --prefix tests/McpClients` first) and the fs.globSync shim
# (conformance 0.1.16 needs Node 22's fs.globSync at import time). Results go to --output-dir or a fresh temp
# dir: one <DIR>/server-<scenario>-<timestamp>/checks.json per scenario. After the suite finishes a compact
# per-scenario summary is printed; a scenario FAILS if any check has status FAILURE or WARNING (the same rule
# the suite's --expected-failures baseline logic uses). Exit code = the suite's exit code.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 URL [--scenario NAME] [--expected-failures FILE] [--output-dir DIR] [conformance server options...]" >&2
  exit 2
fi
url="$1"; shift

out_dir=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --expected-failures)
      [[ $# -ge 2 ]] || { echo "--expected-failures needs a FILE" >&2; exit 2; }
      f="$2"; [[ "$f" = /* ]] || f="$PWD/$f"
      [[ -f "$f" ]] || { echo "expected-failures file not found: $f" >&2; exit 2; }
      args+=(--expected-failures "$f"); shift 2 ;;
    -o|--output-dir)
      [[ $# -ge 2 ]] || { echo "$1 needs a DIR" >&2; exit 2; }
      out_dir="$2"; shift 2 ;;
    *)
      args+=("$1"); shift ;;
  esac
done

if [[ -z "$out_dir" ]]; then
  out_dir="$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance.XXXXXX")"
else
  mkdir -p "$out_dir"
fi
out_dir="$(cd "$out_dir" && pwd)"

cli="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [[ ! -f "$cli" ]]; then
  echo "conformance CLI not installed; run: npm ci --prefix $here" >&2
  exit 2
fi

echo "conformance: url=$url results=$out_dir" >&2
(cd "$here" && node --import ./fs-globsync-shim.mjs "$cli" server --url "$url" --output-dir "$out_dir" "${args[@]}")
rc=$?

node - "$out_dir" <<'NODE'
const fs = require('node:fs'), path = require('node:path');
const dir = process.argv[2];
const rows = [];
for (const d of fs.readdirSync(dir).sort()) {
  const f = path.join(dir, d, 'checks.json');
  if (!fs.existsSync(f)) continue;
  const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(d);
  const scenario = m ? m[1] : d;
  let checks;
  try { checks = JSON.parse(fs.readFileSync(f, 'utf8')); } catch (e) { rows.push({ scenario, verdict: 'FAIL', s: 0, f: 0, w: 0, why: 'unreadable checks.json' }); continue; }
  const n = (st) => checks.filter((c) => c.status === st).length;
  const s = n('SUCCESS'), fl = n('FAILURE'), w = n('WARNING');
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  rows.push({ scenario, verdict: bad.length ? 'FAIL' : 'PASS', s, f: fl, w,
    why: bad.map((c) => `${c.status[0]}:${c.id}${c.errorMessage ? ' - ' + String(c.errorMessage).split('\n')[0].slice(0, 140) : ''}`).join(' | ') });
}
const width = Math.max(8, ...rows.map((r) => r.scenario.length));
console.log('\n=== conformance summary (FAIL = any FAILURE or WARNING check) ===');
console.log(`${'scenario'.padEnd(width)}  verdict  success failure warning`);
for (const r of rows) {
  console.log(`${r.scenario.padEnd(width)}  ${r.verdict.padEnd(7)}  ${String(r.s).padStart(7)} ${String(r.f).padStart(7)} ${String(r.w).padStart(7)}${r.why ? '   ' + r.why : ''}`);
}
const p = rows.filter((r) => r.verdict === 'PASS').length;
console.log(`${p}/${rows.length} scenarios pass; results in ${dir}`);
NODE
exit $rc
