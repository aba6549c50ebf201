#!/usr/bin/env node
// A tiny HTTP proxy that splits one MCP session across two servers by method:
// GET and DELETE go to target A, POST (and every other method) to target B.
//
//   node split-proxy.mjs --get http://127.0.0.1:A --post http://127.0.0.1:B [--port N]
//   (or env GET_TARGET / POST_TARGET / PORT; port 0 or none = any free port)
//
// Prints `listening <port>` on stdout once it listens on 127.0.0.1. Each request keeps its method, path, query and
// every header verbatim (rawHeaders: same names, order, duplicates; Host and Origin included, so the target judges
// them itself). node:http only adds the hop-by-hop framing it needs: `Connection: keep-alive` when the client sent no
// Connection header, and `Transfer-Encoding: chunked` on a POST/PUT that has neither Content-Length nor one itself. Bodies are piped both ways as they come, never buffered, so SSE flows event by event. When the
// client goes away before the answer is complete the upstream request is aborted. node:http only.
import http from 'node:http';

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const getTarget = option('get') ?? process.env.GET_TARGET;
const postTarget = option('post') ?? process.env.POST_TARGET;
const port = Number(option('port') ?? process.env.PORT ?? 0);
if (!getTarget || !postTarget) {
  console.error('usage: split-proxy.mjs --get http://127.0.0.1:A --post http://127.0.0.1:B [--port N]');
  process.exit(2);
}
const targets = { get: new URL(getTarget), post: new URL(postTarget) };
for (const t of Object.values(targets)) {
  if (t.protocol !== 'http:') {
    console.error(`only http targets are supported: ${t}`);
    process.exit(2);
  }
}

// Keep-alive so the targets see a connection per concurrent request, as behind a real proxy.
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  const target = req.method === 'GET' || req.method === 'DELETE' ? targets.get : targets.post;
  const upstream = http.request({
    host: target.hostname,
    port: target.port || 80,
    method: req.method,
    path: req.url, // path and query as received
    headers: req.rawHeaders, // verbatim, Host included (setHost: false keeps Node from adding its own)
    setHost: false,
    agent,
  });

  upstream.on('response', (up) => {
    res.writeHead(up.statusCode, up.statusMessage, up.rawHeaders);
    res.flushHeaders();
    up.pipe(res); // each chunk is written as it arrives
    // The target cut its answer short: cut the client's too, so it sees the drop rather than a clean end.
    up.on('close', () => { if (!up.complete) res.destroy(); });
  });
  upstream.on('error', (e) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`split-proxy: ${target.host} unreachable: ${e.message}\n`);
    } else {
      res.destroy();
    }
  });
  // The client went away (or the answer ended): abort what is still running upstream.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});
server.headersTimeout = 0;
server.requestTimeout = 0;
server.keepAliveTimeout = 5000;

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
