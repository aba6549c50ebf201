#!/usr/bin/env node
// Upstream MCP fixture server for the gateway tests: Streamable HTTP on http://127.0.0.1:$PORT/mcp, built on the
// official TypeScript SDK (McpServer + the web-standard Streamable HTTP transport). It carries the fixtures the
// official conformance suite expects of its reference "everything-server" (test_* tools, test://* resources,
// test_* prompts) plus fixture_* tools the gateway tests drive. See README.md ("fixture-server.mjs").
//
//   PORT=45170 node tests/McpClients/fixture-server.mjs     # prints "listening 45170" once bound (PORT=0: any port)
//
// Extra endpoint: GET /fixture/calls?tag=X -> JSON array of fixture_wait records with that tag.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getRequestListener } from '@hono/node-server';
import { z } from 'zod';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema, CreateMessageResultSchema, ElicitResultSchema, ErrorCode, LATEST_PROTOCOL_VERSION,
  ListRootsResultSchema, ListToolsRequestSchema, McpError, SubscribeRequestSchema, SUPPORTED_PROTOCOL_VERSIONS,
  UnsubscribeRequestSchema, isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

// SSE `retry:` sent in every priming event: short, so SDK clients resuming a closed stream (SEP-1699 polling)
// don't stall the tests.
const RETRY_MS = 250;

// 1x1 red pixel PNG, and a WAV of 4 silent 16-bit samples at 8 kHz: the smallest valid media of each kind.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
const WAV = 'UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQgAAAAAAAAAAAAAAA==';

/** sessionId -> { id, closed, transport, mcp, subscriptions } */
const sessions = new Map();
/** fixture_wait records, in start order; read through GET /fixture/calls. */
const waitRecords = [];
/** Tools added by fixture_add_tool: shared so every session, present or future, lists them. */
const addedTools = new Map();

// ---------------------------------------------------------------------------------------------------------
// Event store: one per session. The SDK's example store replays every stream of the session after the given
// id; resuming must replay only the stream that id belongs to, or a response lands on the wrong stream.
// Ids carry a per-store prefix so an id from another session (a gateway mixing sessions up) is unknown here
// and the resume fails with 400 instead of replaying something else.
class StreamEventStore {
  #prefix = randomUUID().slice(0, 8);
  #events = []; // { id, streamId, message }; index = sequence number - 1

  async storeEvent(streamId, message) {
    const id = `${this.#prefix}-${this.#events.length + 1}`;
    this.#events.push({ id, streamId, message });
    return id;
  }

  #indexOf(eventId) {
    const [prefix, n] = String(eventId).split('-');
    const index = Number(n) - 1;
    return prefix === this.#prefix && Number.isInteger(index) && index >= 0 && index < this.#events.length ? index : -1;
  }

  async getStreamIdForEventId(eventId) {
    const index = this.#indexOf(eventId);
    return index < 0 ? undefined : this.#events[index].streamId;
  }

  async replayEventsAfter(lastEventId, { send }) {
    const index = this.#indexOf(lastEventId);
    if (index < 0) throw new Error(`unknown event id ${lastEventId}`);
    const { streamId } = this.#events[index];
    // Live length on purpose: an event stored while we replay is sent too (the transport then skips it).
    for (let i = index + 1; i < this.#events.length; i++) {
      const event = this.#events[i];
      // Priming events are stored as {} and only exist to hand out a cursor: never replay them.
      if (event.streamId === streamId && event.message.jsonrpc) await send(event.id, event.message);
    }
    return streamId;
  }
}

// The SDK's transport with two fixes for resumability. Uses the transport's private maps (SDK pinned to 1.32.2).
class FixtureTransport extends WebStandardStreamableHTTPServerTransport {
  /** Protocol version negotiated at initialize. */
  negotiatedVersion = undefined;

  // The SDK primes a POST stream only if that request's mcp-protocol-version header is >= 2025-11-25. Decide on
  // the version the session negotiated instead: conformance's server-sse-polling probe sends a stale
  // "2025-03-26" header on a 2025-11-25 session and expects the priming event and retry field.
  writePrimingEvent(controller, encoder, streamId, protocolVersion) {
    return super.writePrimingEvent(controller, encoder, streamId, this.negotiatedVersion ?? protocolVersion);
  }

  /** Whether POST streams get a priming event, i.e. whether closing one early still lets the client resume. */
  get primesStreams() {
    return (this.negotiatedVersion ?? '') >= '2025-11-25';
  }

  // The SDK ends a request stream only when it writes the last response live. A stream resumed after all its
  // responses were stored would stay open forever: end it right after the replay, as the original would have.
  async replayEvents(lastEventId) {
    const response = await super.replayEvents(lastEventId);
    const streamId = await this._eventStore.getStreamIdForEventId(lastEventId);
    const pending = [...this._requestToStreamMapping.values()].includes(streamId);
    if (response.ok && streamId !== this._standaloneSseStreamId && !pending) {
      this._streamMapping.get(streamId)?.cleanup();
    }
    return response;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tools. Plain JSON Schemas (not zod) so they are listed verbatim: json_schema_2020_12_tool must keep $schema,
// $defs and additionalProperties, which the SDK's zod conversion would not produce.
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const noArgs = { type: 'object', properties: {} };
const intArg = (args, name, fallback) => {
  const v = args[name] ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
};

/** Sends a log message on the request's own stream, honouring the level the session set (logging/setLevel). */
async function log({ mcp, extra }, level, data) {
  if (mcp.server.isMessageIgnored(level, extra.sessionId)) return;
  await extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'fixture', data } });
}

async function progress({ extra }, value, total) {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return;
  await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: value, total } });
}

const tools = {
  test_simple_text: {
    description: 'Returns one text content item',
    run: () => text('This is a simple text response for testing.'),
  },
  test_image_content: {
    description: 'Returns one image content item (1x1 PNG)',
    run: () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }),
  },
  test_audio_content: {
    description: 'Returns one audio content item (tiny WAV)',
    run: () => ({ content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] }),
  },
  test_embedded_resource: {
    description: 'Returns one embedded text resource',
    run: () => ({
      content: [{
        type: 'resource',
        resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
      }],
    }),
  },
  test_multiple_content_types: {
    description: 'Returns text, image and embedded resource content together',
    run: () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' },
        },
      ],
    }),
  },
  test_tool_with_logging: {
    description: 'Sends three info log messages (50 ms apart) on the call stream, then returns',
    run: async (_, ctx) => {
      await log(ctx, 'info', 'Tool execution started');
      await sleep(50);
      await log(ctx, 'info', 'Tool processing data');
      await sleep(50);
      await log(ctx, 'info', 'Tool execution completed');
      return text('Tool with logging executed successfully');
    },
  },
  test_tool_with_progress: {
    description: 'Reports progress 0, 50, 100 of 100 (50 ms apart) when the call has a progressToken',
    run: async (_, ctx) => {
      for (const value of [0, 50, 100]) {
        if (value > 0) await sleep(50);
        await progress(ctx, value, 100);
      }
      return text('Tool with progress executed successfully');
    },
  },
  test_error_handling: {
    description: 'Always fails (isError result)',
    run: () => { throw new Error('This tool intentionally returns an error for testing'); },
  },
  test_reconnection: {
    description: 'Closes its POST SSE stream right after the priming event and answers later: the client must resume with GET + Last-Event-ID (SEP-1699)',
    run: async (_, { session, extra }) => {
      // Without a priming event the client holds no cursor and could never get the answer: keep the stream then.
      if (session.transport.primesStreams) session.transport.closeSSEStream(extra.requestId);
      await sleep(100);
      return text('Reconnection test completed: the result arrived after the stream was closed.');
    },
  },
  test_sampling: {
    description: 'Asks the client for an LLM completion (sampling/createMessage) of the prompt',
    inputSchema: { type: 'object', properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } }, required: ['prompt'] },
    run: async (args, { extra }) => {
      const result = await extra.sendRequest({
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt ?? '') } }], maxTokens: 100 },
      }, CreateMessageResultSchema);
      const reply = Array.isArray(result.content) ? result.content.map((c) => c.text ?? '').join('') : result.content?.text;
      return text(`LLM response: ${reply ?? ''}`);
    },
  },
  test_elicitation: {
    description: 'Asks the client for a username and email (elicitation/create)',
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'The message to show the user' } }, required: ['message'] },
    run: (args, ctx) => elicit(ctx, String(args.message ?? ''), {
      type: 'object',
      properties: {
        username: { type: 'string', description: "User's response" },
        email: { type: 'string', description: "User's email address" },
      },
      required: ['username', 'email'],
    }, 'User response'),
  },
  test_elicitation_sep1034_defaults: {
    description: 'Elicitation whose schema has a default for every primitive type (SEP-1034)',
    run: (_, ctx) => elicit(ctx, 'Please review the form; every field has a default', {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true },
      },
      required: [],
    }),
  },
  test_elicitation_sep1330_enums: {
    description: 'Elicitation with the five enum schema variants (SEP-1330)',
    run: (_, ctx) => elicit(ctx, 'Please pick from each list', {
      type: 'object',
      properties: {
        untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
          type: 'string',
          oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }, { const: 'value3', title: 'Third Option' }],
        },
        legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
        untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
        titledMulti: {
          type: 'array',
          items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }, { const: 'value3', title: 'Third Choice' }] },
        },
      },
      required: [],
    }),
  },
  json_schema_2020_12_tool: {
    description: 'Input schema uses JSON Schema 2020-12 features ($schema, $defs, $ref, additionalProperties) that must survive listing (SEP-1613)',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
    },
    run: (args) => text(`received ${JSON.stringify(args)}`),
  },

  // --- gateway test tools -------------------------------------------------------------------------------
  fixture_progress: {
    description: 'Sends `steps` progress notifications (i of steps, delayMs apart) when the call has a progressToken, then returns "done <steps>"',
    inputSchema: { type: 'object', properties: { steps: { type: 'integer', default: 10 }, delayMs: { type: 'integer', default: 20 } } },
    run: async (args, ctx) => {
      const steps = intArg(args, 'steps', 10);
      const delayMs = intArg(args, 'delayMs', 20);
      for (let i = 1; i <= steps; i++) {
        await progress(ctx, i, steps);
        if (i < steps) await sleep(delayMs);
      }
      return text(`done ${steps}`);
    },
  },
  fixture_wait: {
    description: 'Waits ms milliseconds or until the call is cancelled; the outcome is readable at GET /fixture/calls?tag=<tag>',
    inputSchema: { type: 'object', properties: { ms: { type: 'integer', default: 5000 }, tag: { type: 'string' } } },
    run: async (args, { session, extra }) => {
      const ms = intArg(args, 'ms', 5000);
      const started = Date.now();
      const record = {
        tag: String(args.tag ?? ''), ms, sessionId: extra.sessionId ?? null, cancelled: false, cancelledBy: null, reason: null,
        startedAt: new Date(started).toISOString(), endedAt: null, elapsedMs: null,
      };
      waitRecords.push(record);
      try {
        await sleep(ms, undefined, { signal: extra.signal });
      } catch (error) {
        if (!extra.signal.aborted) throw error;
        record.cancelled = true;
        // The SDK aborts a handler on notifications/cancelled and also when the session closes (DELETE): tell which.
        record.cancelledBy = session.closed ? 'session-closed' : 'notifications/cancelled';
        record.reason = typeof extra.signal.reason === 'string' ? extra.signal.reason : null;
      } finally {
        record.endedAt = new Date().toISOString();
        record.elapsedMs = Date.now() - started;
      }
      // A cancelled call's result is never sent (the SDK drops it); the text only matters when not cancelled.
      return text(record.cancelled ? `cancelled after ${record.elapsedMs} ms` : `waited ${ms} ms`);
    },
  },
  fixture_roots: {
    description: 'Asks the client for its roots (roots/list) and returns them as JSON text',
    run: async (_, { extra }) => {
      const result = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
      return text(JSON.stringify(result.roots));
    },
  },
  fixture_log: {
    description: 'Sends `count` info log messages ("log <i>", i from 1) on the call stream, then returns "logged <count>"',
    inputSchema: { type: 'object', properties: { count: { type: 'integer', default: 3 } } },
    run: async (args, ctx) => {
      const count = intArg(args, 'count', 3);
      for (let i = 1; i <= count; i++) await log(ctx, 'info', `log ${i}`);
      return text(`logged ${count}`);
    },
  },
  fixture_notify_resource: {
    description: 'Sends notifications/resources/updated for uri to this session (standalone GET stream), subscribed or not',
    inputSchema: { type: 'object', properties: { uri: { type: 'string' } }, required: ['uri'] },
    run: async (args, { mcp }) => {
      const uri = String(args.uri ?? '');
      await mcp.server.sendResourceUpdated({ uri });
      return text(`notified ${uri}`);
    },
  },
  fixture_add_tool: {
    description: 'Adds tool `name` (returns "added <name>") to every session and sends notifications/tools/list_changed to each',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    run: async (args) => {
      const name = String(args.name ?? '');
      if (!name || tools[name] || addedTools.has(name)) throw new Error(`cannot add tool "${name}": empty or exists`);
      addedTools.set(name, { description: `Added at runtime by fixture_add_tool`, run: () => text(`added ${name}`) });
      // Each session's own server sends it, on that session's standalone stream: nothing crosses sessions.
      await Promise.all([...sessions.values()].map((s) => s.mcp.server.sendToolListChanged().catch(() => {})));
      return text(`registered ${name}`);
    },
  },
};

function elicit({ extra }, message, requestedSchema, label = 'Elicitation completed') {
  return extra.sendRequest({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } }, ElicitResultSchema)
    .then((r) => text(`${label}: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`));
}

const findTool = (name) => (Object.hasOwn(tools, name) ? tools[name] : addedTools.get(name));

// ---------------------------------------------------------------------------------------------------------
// One McpServer per session.
function createMcpServer(session) {
  const mcp = new McpServer(
    { name: 'sse-virtualization-fixture', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, logging: {} } },
  );

  // Tools bypass McpServer.registerTool (zod-only schemas); see `tools`.
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...Object.entries(tools), ...addedTools].map(([name, t]) => ({ name, description: t.description, inputSchema: t.inputSchema ?? noArgs })),
  }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = findTool(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    try {
      return await tool.run(request.params.arguments ?? {}, { session, mcp, extra });
    } catch (error) {
      return { ...text(error instanceof Error ? error.message : String(error)), isError: true };
    }
  });

  mcp.registerResource('static-text', 'test://static-text', { description: 'Static text resource', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }));
  mcp.registerResource('static-binary', 'test://static-binary', { description: 'Static binary resource (1x1 PNG)', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG }] }));
  mcp.registerResource('watched-resource', 'test://watched-resource', { description: 'Resource to subscribe to', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }] }));
  mcp.registerResource('template-data', new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'JSON data for any id', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }],
    }));

  // Subscriptions are only recorded (fixture_notify_resource notifies regardless).
  mcp.server.setRequestHandler(SubscribeRequestSchema, (request) => { session.subscriptions.add(request.params.uri); return {}; });
  mcp.server.setRequestHandler(UnsubscribeRequestSchema, (request) => { session.subscriptions.delete(request.params.uri); return {}; });

  const words = ['paris', 'park', 'party', 'test', 'testing'];
  mcp.registerPrompt('test_simple_prompt', { description: 'Prompt without arguments' },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }));
  mcp.registerPrompt('test_prompt_with_arguments', {
    description: 'Prompt with two arguments (arg1 completes from a word list)',
    argsSchema: {
      arg1: completable(z.string().describe('First test argument'), (value) => words.filter((w) => w.startsWith(value ?? ''))),
      arg2: z.string().describe('Second test argument'),
    },
  }, ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }));
  mcp.registerPrompt('test_prompt_with_embedded_resource', {
    description: 'Prompt embedding the resource given as resourceUri',
    argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
  }, ({ resourceUri }) => ({
    messages: [
      { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
    ],
  }));
  mcp.registerPrompt('test_prompt_with_image', { description: 'Prompt with an image' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));

  return mcp;
}

async function createSession(initializeRequest) {
  const session = { id: undefined, closed: false, subscriptions: new Set() };
  const transport = new FixtureTransport({
    sessionIdGenerator: randomUUID,
    eventStore: new StreamEventStore(),
    retryInterval: RETRY_MS,
    onsessioninitialized: (id) => { session.id = id; sessions.set(id, session); },
  });
  const requested = initializeRequest.params.protocolVersion;
  transport.negotiatedVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
  // Set before connect: McpServer.connect chains its own onclose after this one.
  transport.onclose = () => {
    session.closed = true;
    if (session.id) sessions.delete(session.id);
  };
  session.transport = transport;
  session.mcp = createMcpServer(session);
  await session.mcp.connect(transport);
  return session;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

// DNS rebinding protection: a loopback server must refuse requests whose Host or Origin names another host.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
function loopbackHeaders(req) {
  const host = req.headers.host;
  if (!host) return false;
  try {
    if (!LOOPBACK.has(new URL(`http://${host}`).hostname)) return false;
    const origin = req.headers.origin;
    return origin === undefined || LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
const rpcError = (res, status, code, message) => sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function toTransport(transport, req, res, parsedBody) {
  return getRequestListener((request) => transport.handleRequest(request, { parsedBody }), { overrideGlobalObjects: false })(req, res);
}

// FIXTURE_TRACE=1: one stderr line per HTTP request (method, session, Last-Event-ID, JSON-RPC method/id), to
// see which stream a gateway opens for what.
function trace(req, body) {
  if (!process.env.FIXTURE_TRACE) return;
  const what = [body].flat().filter(Boolean).map((m) => m.method ?? `response ${m.id}`).join(',');
  const h = req.headers;
  console.error(`trace ${req.method} ${req.url} session=${h['mcp-session-id'] ?? '-'} last-event-id=${h['last-event-id'] ?? '-'} ${what}`);
}

async function handle(req, res) {
  if (!loopbackHeaders(req)) return rpcError(res, 403, -32000, 'Forbidden: Host/Origin is not a loopback address');
  const url = new URL(req.url, 'http://127.0.0.1');

  if (url.pathname === '/fixture/calls' && req.method === 'GET') {
    const tag = url.searchParams.get('tag');
    return sendJson(res, 200, waitRecords.filter((r) => tag === null || r.tag === tag));
  }
  if (url.pathname !== '/mcp') return sendJson(res, 404, { error: 'not found' });

  let body;
  if (req.method === 'POST') {
    try {
      body = await readJson(req);
    } catch {
      return rpcError(res, 400, -32700, 'Parse error: invalid JSON');
    }
  }

  trace(req, body);
  const sessionId = req.headers['mcp-session-id'];
  if (sessionId !== undefined) {
    const session = sessions.get(sessionId);
    if (!session) return rpcError(res, 404, -32001, 'Session not found');
    return toTransport(session.transport, req, res, body);
  }
  if (req.method === 'POST' && isInitializeRequest(body)) {
    const session = await createSession(body);
    return toTransport(session.transport, req, res, body);
  }
  return rpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error('fixture-server: request failed:', error);
    if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
    else res.end();
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const session of sessions.values()) session.transport.close().catch(() => {});
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
