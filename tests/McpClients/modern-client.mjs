#!/usr/bin/env node
// One run of the official TypeScript client `@modelcontextprotocol/client` 2.4.0 (which speaks MCP 2026-07-28 and the
// 2025 revisions) against URL, for the gateway's tests:
//
//   node modern-client.mjs URL [pin|auto|legacy] [--call NAME JSON]... [--progress]
//
// Prints one JSON line: {era, protocolVersion, serverInfo, tools (names), calls: [{name, result, progress}], requests}
// where requests lists every HTTP request the client made ("POST tools/list", "GET", ...), to show none was wasted;
// or {error, code} when it failed. Logs go to stderr.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

console.log = (...a) => console.error(...a);
const argv = process.argv.slice(2);
const url = new URL(argv[0]);
const mode = argv[1] ?? 'pin';
const calls = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--call') calls.push({ name: argv[i + 1], args: JSON.parse(argv[i + 2] ?? '{}') });
}
const progress = argv.includes('--progress');
const requests = [];
const fetchAndRecord = async (input, init = {}) => {
  const method = (init.method ?? 'GET').toUpperCase();
  let rpc = '';
  try { rpc = init.body ? JSON.parse(init.body).method ?? '(response)' : ''; } catch { rpc = '?'; }
  const response = await fetch(input, init);
  requests.push(`${method} ${rpc}`.trim() + ` ${response.status}`);
  return response;
};
const negotiation = mode === 'pin' ? { mode: { pin: '2026-07-28' } } : { mode };
const client = new Client({ name: 'modern-client', version: '2.4.0' }, { versionNegotiation: negotiation });
const out = { calls: [] };
try {
  await client.connect(new StreamableHTTPClientTransport(url, { fetch: fetchAndRecord }));
  out.era = client.getProtocolEra?.();
  out.protocolVersion = client.getNegotiatedProtocolVersion?.();
  out.serverInfo = client.getServerVersion?.() ?? null;
  out.tools = (await client.listTools()).tools.map((t) => t.name);
  for (const call of calls) {
    const seen = [];
    const result = await client.callTool({ name: call.name, arguments: call.args }, progress ? { onprogress: (p) => seen.push(p) } : undefined);
    out.calls.push({ name: call.name, result, progress: seen });
  }
} catch (e) {
  out.error = e instanceof Error ? e.message : String(e);
  out.code = e?.code;
}
try { await client.close(); } catch { /* closing is best effort */ }
out.requests = requests;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
