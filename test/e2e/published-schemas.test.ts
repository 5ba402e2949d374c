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
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';

const DIST = dirname(SERVER_ENTRY);
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => { await Promise.all(open.splice(0).map((h) => h.close().catch(() => undefined))); });

const env = (consent: string) => isolatedEnv({
  ...SIM_CREDENTIALS, SWAS_ENDPOINT: 'http://127.0.0.1:9/', ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_CONSENT: consent, SWAS_MCP_AUDIT_LOG: 'off',
});

/**
 * A copy of the built dist/ whose published-schemas file says something the sources do not: a
 * server started from it that shows it in tools/list publishes from the file.
 */
const FROM_FILE = 'from the build file';
let changedDist: string | undefined;
function distWithChangedFile(): string {
  if (changedDist) return changedDist;
  const dist = mkdtempSync(join(tmpdir(), 'swas-dist-'));
  cpSync(DIST, dist, { recursive: true });
  const file = join(dist, PUBLISHED_SCHEMAS_FILE);
  const schemas = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { input: { properties: Record<string, { description?: string }> } }>;
  schemas.list_instances!.input.properties.RegionId!.description = FROM_FILE;
  writeFileSync(file, JSON.stringify(schemas));
  return changedDist = dist;
}

interface Listed { name: string; inputSchema: { properties?: Record<string, { description?: string }> } }
const regionOfListInstances = (tools: Listed[]) => tools.find((t) => t.name === 'list_instances')?.inputSchema.properties?.RegionId;

describe('the published schemas the build writes', () => {
  it('are the ones the sources make, for every tool', () => {
    const file = JSON.parse(readFileSync(join(DIST, PUBLISHED_SCHEMAS_FILE), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(publishedSchemasOf(ALL_TOOLS))));
  });

  // One process per consent mode, started from a copy of dist/ whose file differs in one description.
  it.each(['human', 'confirm', 'off'])('the built server publishes from the file, and lists what an in-process server lists (consent %s)', async (consent) => {
    const client = testClient();
    open.push(await serveInProcess(client, env(consent)));
    const expected = (await client.listTools()).tools as Listed[];
    const built = testClient();
    await built.connect(new StdioClientTransport({ command: process.execPath, args: [join(distWithChangedFile(), 'index.js')], env: env(consent), stderr: 'pipe' }));
    open.push(built);
    const tools = (await built.listTools()).tools as Listed[];
    expect(regionOfListInstances(tools)?.description).toBe(FROM_FILE);
    // Otherwise the same, to the last member.
    expect(regionOfListInstances(expected)?.description).not.toBe(FROM_FILE);
    regionOfListInstances(expected)!.description = FROM_FILE;
    expect(tools).toEqual(expected);
  });
});
