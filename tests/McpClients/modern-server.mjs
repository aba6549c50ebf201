#!/usr/bin/env node
// An upstream MCP server that speaks ONLY 2026-07-28 (the official TypeScript server 2.4.0 with `legacy: 'reject'`),
// for the gateway's tests of its version bridge: a 2025 client reaches it through the layer, which speaks 2026 to it.
// Binds 127.0.0.1; port from env PORT (0 picks one); prints `listening <port>` once it listens.
//
// Tools: `modern_echo {text}` answers `modern: <text>`; `modern_confirm {env}` asks the client to confirm by an
// elicitation, the 2026 way (a result that requires input, answered in the request's next round), then answers
// `deployed <env>` or `not deployed <env>`.
import http from 'node:http';
import { McpServer, createMcpHandler, inputRequired, acceptedContent } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

const server = () => {
  const s = new McpServer({ name: 'modern-fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
  s.registerTool('modern_echo', { description: 'Echoes text (a 2026-07-28 server)', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text: `modern: ${text}` }] }));
  s.registerTool('modern_confirm', { description: 'Asks the client to confirm, by elicitation', inputSchema: z.object({ env: z.string() }) },
    async ({ env }, context) => {
      const schema = z.object({ ok: z.boolean() });
      const answer = acceptedContent(context.mcpReq.inputResponses, 'confirm', schema);
      if (answer === undefined) {
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: `Deploy ${env}?`, requestedSchema: schema }) },
          requestState: `confirm:${env}`,
        });
      }
      return { content: [{ type: 'text', text: answer.ok ? `deployed ${env}` : `not deployed ${env}` }] };
    });
  return s;
};

const handler = toNodeHandler(createMcpHandler(server, { legacy: 'reject', onerror: (e) => console.error('[modern-server]', e.message) }));
const listener = http.createServer((req, res) => {
  if (req.url?.startsWith('/mcp')) return handler(req, res);
  res.statusCode = 404;
  res.end();
});
listener.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening ${listener.address().port}`));
