#!/usr/bin/env node
// Line-oriented driver of the official MCP TypeScript SDK client (@modelcontextprotocol/sdk 1.32.2).
//
// stdin: one JSON command per line. stdout: exactly one JSON line per command, in order:
//   {"ok":true, ...result}  or  {"ok":false,"error":"message","code":<JSON-RPC code when the error is an McpError>}
// Anything else (SDK/transport errors, logs) goes to stderr. A failing command never kills the process.
// The process exits when stdin closes (after closing the client).
//
// Commands are processed strictly one at a time (the next line is read only after the previous reply).
// See README.md for the command list.
//
// --- sessionId resume (connect with "sessionId") -------------------------------------------------------
// In SDK 1.32.2 dist/esm/client/index.js, Client.connect() does `await super.connect(transport)` and then
//   `if (transport.sessionId !== undefined) { return; }`   // "trying to reconnect ... don't need to initialize again"
// and StreamableHTTPClientTransport's constructor takes `opts.sessionId` (stored as _sessionId, sent as the
// mcp-session-id header on every request). So constructing the transport with {sessionId} and calling
// client.connect() sends NO initialize and NO notifications/initialized. Consequences (all true of the SDK, not
// of this driver): no server capabilities/serverInfo are known (reported as null), no mcp-protocol-version header
// is sent unless we call transport.setProtocolVersion() (the driver does when "protocolVersion" is given), and
// the standalone GET SSE stream is NOT opened (the SDK only opens it after the 202 to notifications/initialized).
// The driver therefore opens it itself through the public transport.resumeStream(lastEventId) when the connect
// command has "openStream": true (default true on resume); with "lastEventId" that GET carries Last-Event-ID.
//
// --- dropStream ------------------------------------------------------------------------------------------
// The transport has no public way to abort just the standalone GET stream: its only AbortController
// (_abortController) is private and shared with every POST, and close() aborts everything and forbids
// reconnection. The driver therefore passes its own `fetch` to the transport (a public option) that gives every
// GET its own AbortController (combined with the SDK's signal). dropStream aborts the open GET(s): the SDK's SSE
// reader throws, _handleSseStream treats it as a network disconnect ("SSE stream disconnected") and, because the
// GET stream is reconnectable and the transport is not closed, schedules a reconnection (default 1s initial
// delay, maxRetries 2) with `Last-Event-ID: <last id seen on that stream>`. This is the SDK's own real
// reconnect path, not a re-implementation. The same fetch wrapper records the headers of every GET
// ("getRequests" op) so tests can assert the Last-Event-ID the SDK sent.
//
// --- lastEventId -----------------------------------------------------------------------------------------
// The SDK only reports SSE event ids through `onresumptiontoken`, which is per request (RequestOptions) and is NOT
// wired for the standalone GET stream it opens itself. The driver passes onresumptiontoken on callTool and to
// resumeStream, and additionally observes `id:` lines of every text/event-stream response body in the fetch
// wrapper (a tee of the bytes the SDK reads, so nothing is altered). "lastEventId" returns the latest id from
// either source; "lastGetEventId" is the latest id seen on the standalone GET stream only (the one the SDK
// itself puts in Last-Event-ID when it reconnects that stream after dropStream).
//
// --- server-to-client requests -----------------------------------------------------------------------------
// connect's samplingResult / elicitationResult / roots install the SDK's own handlers (Client.setRequestHandler with
// CreateMessageRequestSchema / ElicitRequestSchema / ListRootsRequestSchema); the SDK validates the request and the
// answer and POSTs the JSON-RPC response itself. Client.setRequestHandler refuses a handler whose capability is not
// declared, so the matching capability is declared automatically unless "capabilities" is given. To record EVERY
// server request (including ping, methods without a handler, and elicitations the SDK rejects before the handler
// runs) the driver wraps the client's dispatch method _onrequest (SDK internal, Protocol._onrequest) instead of
// recording in the handlers. The same fetch tee that observes SSE ids also notes, per JSON-RPC request id, whether
// the request came on the standalone GET stream or on a POST's response stream ("stream" in serverRequests).
import readline from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  McpError, CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, CancelledNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

// Keep stdout exclusively for protocol replies.
console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);
console.debug = (...a) => console.error(...a);

let client = null;
let transport = null;
let transportKind = null;
let notifications = [];      // every notification, in arrival order
let waitCursor = {};         // method -> index in notifications consumed by waitNotification
let consumed = new Set();    // indices consumed by waitNotification
let lastEventId = null;      // latest SSE event id seen on any stream (GET or POST response)
let lastGetEventId = null;   // latest SSE event id seen on the standalone GET stream (what the SDK resumes with)
let openGets = new Set();    // AbortControllers of currently open GET requests (streamable)
let getRequests = [];        // {url, lastEventId, status, at}
let transportErrors = [];
let transportClosed = false;
let serverRequests = [];     // every server-to-client request {id, method, params}, in arrival order
let requestStreams = new Map(); // JSON-RPC id (JSON) of a server request -> 'get' | 'post' (the stream it came on)

function write(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function errReply(e) {
  const r = { ok: false, error: e instanceof Error ? e.message : String(e) };
  if (e instanceof McpError) r.code = e.code;
  // StreamableHTTPError / SseError carry the HTTP status (or -1) in .code; report it separately.
  else if (e && typeof e.code === 'number' && /StreamableHTTPError|SseError/.test(e.constructor?.name ?? '')) r.httpStatus = e.code;
  if (e && e.data !== undefined) r.data = e.data;
  return r;
}

function noteEventId(id) {
  if (id) lastEventId = id;
}
function noteGetEventId(id) {
  if (id) { lastEventId = id; lastGetEventId = id; }
}

// Observe SSE ids in a response body without changing it: tee it, give one branch to the SDK, scan the other.
// Also notes on which kind of stream ('get' | 'post') each server-to-client request arrived.
function observeSse(body, note, streamKind) {
  const [a, b] = body.tee();
  (async () => {
    const reader = b.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let data = [];
    const endEvent = () => {
      if (data.length === 0) return;
      try {
        const m = JSON.parse(data.join('\n'));
        for (const msg of Array.isArray(m) ? m : [m]) {
          if (msg && typeof msg.method === 'string' && msg.id !== undefined && msg.id !== null) requestStreams.set(JSON.stringify(msg.id), streamKind);
        }
      } catch { /* not JSON: the SDK reports it */ }
      data = [];
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.search(/\r\n|\n|\r/)) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(buf[i] === '\r' && buf[i + 1] === '\n' ? i + 2 : i + 1);
          if (line.startsWith('id:')) note(line.slice(3).replace(/^ /, ''));
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          else if (line === '') endEvent();
        }
      }
    } catch { /* stream aborted/dropped: nothing to observe */ }
  })();
  return a;
}

function makeFetch() {
  return async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase();
    let ctl = null;
    let signal = init.signal;
    if (method === 'GET') {
      ctl = new AbortController();
      signal = init.signal ? AbortSignal.any([init.signal, ctl.signal]) : ctl.signal;
      const h = new Headers(init.headers);
      getRequests.push({ url: String(url), lastEventId: h.get('last-event-id'), at: new Date().toISOString() });
    }
    const res = await fetch(url, { ...init, signal });
    if (method === 'GET') getRequests[getRequests.length - 1].status = res.status;
    const ct = res.headers.get('content-type') || '';
    if (!res.body || !ct.toLowerCase().startsWith('text/event-stream')) return res;
    if (ctl) {
      openGets.add(ctl);
      ctl.signal.addEventListener('abort', () => openGets.delete(ctl));
    }
    return new Response(observeSse(res.body, ctl ? noteGetEventId : noteEventId, ctl ? 'get' : 'post'), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

// The client capabilities to declare: "capabilities" as given, else {} plus what the given handlers need
// (Client.setRequestHandler throws for a handler whose capability is not declared).
function clientCapabilities(cmd) {
  if (cmd.capabilities !== undefined && cmd.capabilities !== null) return cmd.capabilities;
  const caps = {};
  if (cmd.samplingResult !== undefined) caps.sampling = {};
  // SDK 1.32.2 (types.js ElicitationCapabilitySchema) reads {} as {form:{}}; its server's elicitInput() checks
  // clientCapabilities.elicitation.form, so declare form mode explicitly.
  if (cmd.elicitationResult !== undefined) caps.elicitation = { form: {} };
  if (cmd.roots !== undefined) caps.roots = { listChanged: true };
  return caps;
}

function newClient(cmd) {
  const c = new Client({ name: 'mcp-gateway-test-driver', version: '1.0.0' }, { capabilities: clientCapabilities(cmd) });
  c.fallbackNotificationHandler = async (n) => {
    notifications.push({ method: n.method, params: n.params ?? null });
  };
  // notifications/cancelled has a built-in handler (aborts the matching request handler); record it as well.
  c.setNotificationHandler(CancelledNotificationSchema, (n) => {
    notifications.push({ method: n.method, params: n.params ?? null });
    return c._oncancel(n);
  });
  // Record every server-to-client request before the SDK dispatches it (see the header comment).
  const dispatch = c._onrequest.bind(c);
  c._onrequest = (request, extra) => {
    serverRequests.push({ id: request.id, method: request.method, params: request.params ?? null });
    return dispatch(request, extra);
  };
  if (cmd.samplingResult !== undefined) c.setRequestHandler(CreateMessageRequestSchema, async () => cmd.samplingResult);
  // elicitationDelayMs: a person taking their time to fill in the form.
  if (cmd.elicitationResult !== undefined) c.setRequestHandler(ElicitRequestSchema, async () => {
    if (cmd.elicitationDelayMs) await new Promise((r) => setTimeout(r, cmd.elicitationDelayMs));
    return cmd.elicitationResult;
  });
  if (cmd.roots !== undefined) c.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: cmd.roots }));
  // progress notifications are consumed by the SDK (routed to onprogress) and do not reach the fallback
  // handler; callTool reports them in its own "progress" array.
  c.onerror = (e) => {
    transportErrors.push(e instanceof Error ? e.message : String(e));
    console.error('[driver] client error:', e instanceof Error ? e.message : e);
  };
  c.onclose = () => { transportClosed = true; };
  return c;
}

async function closeClient({ terminate = true } = {}) {
  if (!client) return { terminated: false };
  let terminated = false;
  let terminateError;
  if (terminate && transportKind === 'streamable' && transport?.sessionId) {
    try { await transport.terminateSession(); terminated = true; } catch (e) { terminateError = e.message; }
  }
  try { await client.close(); } catch (e) { console.error('[driver] close error:', e.message); }
  client = null; transport = null; transportKind = null; openGets.clear();
  return terminateError ? { terminated, terminateError } : { terminated };
}

const handlers = {
  async connect(cmd) {
    if (client) await closeClient({ terminate: false });
    notifications = []; waitCursor = {}; consumed = new Set(); lastEventId = null; lastGetEventId = null;
    getRequests = []; transportErrors = []; transportClosed = false; serverRequests = []; requestStreams = new Map();
    const kind = cmd.transport || 'streamable';
    const url = new URL(cmd.url);
    const headers = cmd.headers || {};
    client = newClient(cmd);
    if (kind === 'sse') {
      if (cmd.sessionId) throw new Error('sessionId resume is only supported for the streamable transport');
      transport = new SSEClientTransport(url, {
        requestInit: { headers },
        // EventSource (GET) does not use requestInit; pass the headers to it too.
        eventSourceInit: {
          fetch: (u, init) => fetch(u, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...headers } }),
        },
      });
    } else if (kind === 'streamable') {
      transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers },
        sessionId: cmd.sessionId || undefined,
        fetch: makeFetch(),
        reconnectionOptions: cmd.reconnectionOptions, // optional override; undefined = SDK defaults
      });
    } else {
      throw new Error(`unknown transport '${kind}' (use streamable or sse)`);
    }
    transportKind = kind;
    try {
      if (cmd.sessionId && cmd.protocolVersion) transport.setProtocolVersion(cmd.protocolVersion);
      await client.connect(transport, cmd.timeoutMs ? { timeout: cmd.timeoutMs } : undefined);
      if (cmd.sessionId && cmd.openStream !== false) {
        await transport.resumeStream(cmd.lastEventId, { onresumptiontoken: noteGetEventId });
      }
    } catch (e) {
      try { await client.close(); } catch { /* ignore */ }
      client = null; transport = null; transportKind = null;
      throw e;
    }
    return {
      sessionId: currentSessionId(),
      protocolVersion: transport.protocolVersion ?? null,
      serverInfo: client.getServerVersion() ?? null,
      capabilities: client.getServerCapabilities() ?? null,
      instructions: client.getInstructions() ?? null,
      resumed: !!cmd.sessionId,
    };
  },

  async listTools(cmd) {
    const tools = [];
    let cursor;
    do {
      const r = await need().listTools(cursor ? { cursor } : undefined, reqOpts(cmd));
      tools.push(...r.tools);
      cursor = r.nextCursor;
    } while (cursor);
    return { tools };
  },

  async callTool(cmd) {
    const progress = [];
    const opts = reqOpts(cmd);
    if (cmd.progress) opts.onprogress = (p) => progress.push(p);
    if (transportKind === 'streamable') opts.onresumptiontoken = noteEventId;
    if (cmd.progress && cmd.resetTimeoutOnProgress !== false) opts.resetTimeoutOnProgress = true;
    // cancelAfterMs: abort through RequestOptions.signal; the SDK then sends notifications/cancelled
    // {requestId, reason} and rejects the call (McpError -32001 with the reason as message).
    let timer;
    if (cmd.cancelAfterMs !== undefined) {
      const ctl = new AbortController();
      opts.signal = ctl.signal;
      timer = setTimeout(() => ctl.abort(`cancelled by the driver after ${cmd.cancelAfterMs} ms`), cmd.cancelAfterMs);
    }
    try {
      const result = await need().callTool({ name: cmd.name, arguments: cmd.arguments ?? {} }, undefined, opts);
      return { result, progress };
    } finally {
      clearTimeout(timer);
    }
  },

  async complete(cmd) {
    const params = { ref: cmd.ref, argument: cmd.argument };
    if (cmd.context !== undefined) params.context = cmd.context;
    return { result: await need().complete(params, reqOpts(cmd)) };
  },

  async subscribeResource(cmd) { await need().subscribeResource({ uri: cmd.uri }, reqOpts(cmd)); return {}; },

  async unsubscribeResource(cmd) { await need().unsubscribeResource({ uri: cmd.uri }, reqOpts(cmd)); return {}; },

  async readResource(cmd) { return { result: await need().readResource({ uri: cmd.uri }, reqOpts(cmd)) }; },

  async getPrompt(cmd) {
    const params = { name: cmd.name };
    if (cmd.arguments !== undefined) params.arguments = cmd.arguments;
    return { result: await need().getPrompt(params, reqOpts(cmd)) };
  },

  async listResourceTemplates(cmd) {
    const resourceTemplates = []; let cursor;
    do { const r = await need().listResourceTemplates(cursor ? { cursor } : undefined, reqOpts(cmd)); resourceTemplates.push(...r.resourceTemplates); cursor = r.nextCursor; } while (cursor);
    return { resourceTemplates };
  },

  async serverRequests() {
    return { serverRequests: serverRequests.map((r) => ({ ...r, stream: requestStreams.get(JSON.stringify(r.id)) ?? null })) };
  },

  async ping(cmd) { await need().ping(reqOpts(cmd)); return {}; },

  async setLoggingLevel(cmd) { await need().setLoggingLevel(cmd.level ?? 'info', reqOpts(cmd)); return {}; },

  async listPrompts(cmd) {
    const prompts = []; let cursor;
    do { const r = await need().listPrompts(cursor ? { cursor } : undefined, reqOpts(cmd)); prompts.push(...r.prompts); cursor = r.nextCursor; } while (cursor);
    return { prompts };
  },

  async listResources(cmd) {
    const resources = []; let cursor;
    do { const r = await need().listResources(cursor ? { cursor } : undefined, reqOpts(cmd)); resources.push(...r.resources); cursor = r.nextCursor; } while (cursor);
    return { resources };
  },

  async notifications() { return { notifications }; },

  async waitNotification(cmd) {
    if (!cmd.method) throw new Error('waitNotification needs "method"');
    const deadline = Date.now() + (cmd.timeoutMs ?? 20000);
    for (;;) {
      const start = waitCursor[cmd.method] ?? 0;
      for (let i = start; i < notifications.length; i++) {
        if (notifications[i].method === cmd.method && !consumed.has(i)) {
          consumed.add(i);
          waitCursor[cmd.method] = i + 1;
          return { notification: notifications[i] };
        }
      }
      if (Date.now() >= deadline) throw new Error('timeout');
      await new Promise((r) => setTimeout(r, 25));
    }
  },

  async close() { return await closeClient({ terminate: true }); },

  async sessionId() {
    return { sessionId: currentSessionId() };
  },

  async lastEventId() { return { lastEventId, lastGetEventId }; },

  async dropStream(cmd) {
    if (transportKind !== 'streamable') throw new Error('dropStream is only supported for the streamable transport');
    const n = openGets.size;
    if (n === 0) throw new Error('no open standalone GET SSE stream to drop');
    const before = getRequests.length;
    for (const c of [...openGets]) c.abort(new Error('dropped by driver'));
    const result = { dropped: n, lastEventId, lastGetEventId };
    // Optionally wait until the SDK has re-issued its GET (with Last-Event-ID) and it got a response.
    if (cmd.waitReconnectMs !== 0) {
      const deadline = Date.now() + (cmd.waitReconnectMs ?? 10000);
      while (Date.now() < deadline) {
        const g = getRequests.slice(before).find((r) => r.status !== undefined);
        if (g) { result.reconnect = g; return result; }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('timeout waiting for the SDK to reconnect the GET stream');
    }
    return result;
  },

  async getRequests() { return { getRequests }; },

  async errors() { return { errors: transportErrors, closed: transportClosed }; },
};

// Streamable: the transport's public sessionId (Mcp-Session-Id). Legacy SSE: SSEClientTransport has no public
// session id; the server's id is the sessionId query parameter of the POST endpoint it announced, read from the
// transport's private _endpoint URL (null if unavailable).
function currentSessionId() {
  if (!transport) return null;
  if (transportKind === 'sse') return transport._endpoint?.searchParams?.get('sessionId') ?? null;
  return transport.sessionId ?? null;
}

function need() {
  if (!client) throw new Error('not connected');
  return client;
}

function reqOpts(cmd) {
  const o = {};
  if (cmd.timeoutMs) o.timeout = cmd.timeoutMs;
  return o;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
let chain = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let cmd;
    try { cmd = JSON.parse(line); } catch (e) { write({ ok: false, error: `bad JSON: ${e.message}` }); return; }
    const h = cmd && typeof cmd.op === 'string' && Object.hasOwn(handlers, cmd.op) ? handlers[cmd.op] : null;
    if (!h) { write({ ok: false, error: `unknown op '${cmd?.op}'` }); return; }
    try {
      write({ ok: true, ...(await h(cmd)) });
    } catch (e) {
      write(errReply(e));
    }
  });
});
rl.on('close', () => {
  chain.then(async () => {
    try { await closeClient({ terminate: true }); } catch { /* ignore */ }
    process.exit(0);
  });
});
process.on('unhandledRejection', (e) => console.error('[driver] unhandled rejection:', e));
process.on('uncaughtException', (e) => console.error('[driver] uncaught exception:', e));
