#!/usr/bin/env node
// Latency and throughput of sequential MCP tool calls, with the official TypeScript SDK client (1.32.2), so one
// server can be measured directly and through the layer side by side, in one run:
//
//   node call-latency.mjs URL [--tool NAME] [--args JSON] [--calls N] [--warmup N] [--progress]
//
// Prints one JSON line: calls, median/p90/p99/max in ms, calls per second. Each call waits for the previous one.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const argv = process.argv.slice(2);
const url = argv.find((a) => !a.startsWith('--') && !argv[argv.indexOf(a) - 1]?.startsWith('--'));
const option = (name, fallback) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : fallback; };
if (!url) {
  console.error('usage: node call-latency.mjs URL [--tool NAME] [--args JSON] [--calls N] [--warmup N] [--progress]');
  process.exit(2);
}
const tool = option('tool', 'test_simple_text');
const args = JSON.parse(option('args', '{}'));
const calls = Number(option('calls', '300'));
const warmup = Number(option('warmup', '30'));
const progress = argv.includes('--progress');

const client = new Client({ name: 'call-latency', version: '1.0.0' }, { capabilities: {} });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const call = () => client.callTool({ name: tool, arguments: args }, undefined, progress ? { onprogress: () => {} } : undefined);
for (let i = 0; i < warmup; i++) await call();
const times = [];
const started = performance.now();
for (let i = 0; i < calls; i++) {
  const t = performance.now();
  await call();
  times.push(performance.now() - t);
}
const total = performance.now() - started;
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
const ms = (v) => Math.round(v * 100) / 100;
console.log(JSON.stringify({ url, tool, calls, median_ms: ms(at(0.5)), p90_ms: ms(at(0.9)), p99_ms: ms(at(0.99)), max_ms: ms(times[times.length - 1]), calls_per_s: Math.round(calls / (total / 1000)) }));
await client.close();
