// nginx (Debian's package) in front of three in-process replicas of src/http/serve.ts serving a
// tiny tool, round-robin, driven by the v2 MCP client: the nginx configuration (SSE unbuffered,
// HTTP/1.1 keep-alive upstream, Host passed through) proved independently of the server wiring.
// The built server as the replicas, sharing PostgreSQL: replicas-postgres.test.ts (a file of its
// own, so the two run side by side).
import { Writable } from 'node:stream';
import { type Progress } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { startHttpServer, type HttpServerHandle } from '../../src/http/serve.js';
import { findNginx, rawRequest, startNginx, type Nginx } from '../helpers/nginx.js';
import { connect, refusedEverywhere, TOKEN } from '../helpers/nginx-clients.js';
import { haveSystemPackage } from '../helpers/system.js';

// Without nginx (a developer's machine where `npm run setup:system` was not run) this file is skipped;
// under CI `npm test` installs it first, and a missing one fails.
const haveNginx = haveSystemPackage('nginx', findNginx() !== undefined);
describe.skipIf(!haveNginx)('nginx round-robin in front of three in-process replicas', () => {
  const replicas: { http: HttpServerHandle; logs: () => string }[] = [];
  let nginx: Nginx;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      let text = '';
      const log = pino({ level: 'info' }, new Writable({ write(c: Buffer, _e, cb) { text += c.toString(); cb(); } }));
      const http = await startHttpServer({
        host: '127.0.0.1', port: 0, token: TOKEN, allowedHosts: [], allowedOrigins: [],
        maxBodyBytes: 1 << 20, maxConcurrent: 32, shutdownMs: 2000, log,
        buildServer: () => {
          const server = new McpServer({ name: `replica-${i}`, version: '1.0.0' });
          server.registerTool('steps', { description: 'Three progress steps', inputSchema: z.object({}) }, async (_args, ctx) => {
            const progressToken = ctx.mcpReq._meta?.progressToken;
            for (const progress of [1, 2, 3]) {
              if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 3 } });
            }
            return { content: [{ type: 'text', text: `replica-${i}` }] };
          });
          return server;
        },
      });
      replicas.push({ http, logs: () => text });
    }
    nginx = await startNginx(replicas.map((r) => new URL(r.http.url).host));
  });
  afterAll(async () => {
    await nginx?.stop();
    for (const r of replicas) await r.http.close();
  });

  for (const era of ['legacy', 'modern', 'auto'] as const) {
    it(`a ${era} client works through nginx, progress streamed, requests spread over every replica`, async () => {
      const client = await connect(`${nginx.url}/mcp`, era);
      try {
        const answeredBy = new Set<string>();
        for (let i = 0; i < 6; i++) {
          const progress: Progress[] = [];
          const result = await client.callTool({ name: 'steps', arguments: {} }, { onprogress: (p) => progress.push(p) });
          expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
          answeredBy.add((result.content[0] as { text: string }).text);
        }
        expect(answeredBy.size).toBe(3);
      } finally {
        await client.close();
      }
    });
  }

  it('refuses a missing or wrong token at nginx and at every replica; /healthz answers at both', async () => {
    await refusedEverywhere([`${nginx.url}/mcp`, ...replicas.map((r) => r.http.url)]);
    expect((await rawRequest(`${nginx.url}/healthz`)).status).toBe(200);
  });

  it('every replica logged the X-Request-Id nginx generated (requests sent to it directly get a UUID)', () => {
    for (const r of replicas) {
      const ids = r.logs().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { requestId?: string }).requestId).filter(Boolean);
      expect(ids.some((id) => /^[0-9a-f]{32}$/.test(id!))).toBe(true); // nginx's $request_id
    }
  });
  // Last of part 1: it drains a replica.
  it('a draining replica (503) is skipped by nginx: every call still succeeds, answered by the others', async () => {
    await replicas[0]!.http.drain();
    const client = await connect(`${nginx.url}/mcp`, 'legacy');
    try {
      const answeredBy = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const result = await client.callTool({ name: 'steps', arguments: {} });
        answeredBy.add((result.content[0] as { text: string }).text);
      }
      expect([...answeredBy].sort()).toEqual(['replica-1', 'replica-2']);
    } finally {
      await client.close();
    }
  });
});
