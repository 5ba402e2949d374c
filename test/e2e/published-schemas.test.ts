// The build converts every tool's published schemas once (dist/published-schemas.json), so that a
// started server's tools/list does not build every tool's zod schemas: the file must be exactly what
// the server would make itself, and the built server must publish from it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { PUBLISHED_SCHEMAS_FILE, publishedSchemasOf } from '../../src/tools/publish.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, spawnServer, type ServerHandle } from '../helpers/stack.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';

const DIST = dirname(SERVER_ENTRY);
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => { await Promise.all(open.splice(0).map((h) => h.close().catch(() => undefined))); });

const env = (consent: string) => isolatedEnv({
  ...SIM_CREDENTIALS, SWAS_ENDPOINT: 'http://127.0.0.1:9/', ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_CONSENT: consent, SWAS_MCP_AUDIT_LOG: 'off',
});

async function builtList(consent: string, args: string[] = []): Promise<unknown> {
  const server: ServerHandle = await spawnServer(env(consent), args);
  open.push(server);
  return (await server.client.listTools()).tools;
}

describe('the published schemas the build writes', () => {
  it('are the ones the sources make, for every tool', () => {
    const file = JSON.parse(readFileSync(join(DIST, PUBLISHED_SCHEMAS_FILE), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(publishedSchemasOf(ALL_TOOLS))));
  });

  it.each(['human', 'confirm', 'off'])('the built server lists what an in-process server lists (consent %s)', async (consent) => {
    const client = testClient();
    open.push(await serveInProcess(client, env(consent)));
    expect(await builtList(consent)).toEqual((await client.listTools()).tools);
  });

  it('the built server publishes from the file (a changed file shows in tools/list)', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'swas-dist-'));
    cpSync(DIST, dist, { recursive: true });
    const file = join(dist, PUBLISHED_SCHEMAS_FILE);
    const schemas = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { input: { properties: Record<string, { description?: string }> } }>;
    schemas.list_instances!.input.properties.RegionId!.description = 'from the build file';
    writeFileSync(file, JSON.stringify(schemas));
    const client = testClient();
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(dist, 'index.js')], env: env('human'), stderr: 'pipe' }));
    open.push(client);
    const tools = (await client.listTools()).tools;
    const region = tools.find((t) => t.name === 'list_instances')?.inputSchema.properties?.RegionId as { description?: string } | undefined;
    expect(region?.description).toBe('from the build file');
  });
});
