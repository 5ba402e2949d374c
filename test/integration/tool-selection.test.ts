import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';
import { isolatedEnv } from '../helpers/stack.js';

/**
 * Which tools a start offers, from its environment and flags: the server composed as a start
 * composes it, in this process. (The refusal of an unknown tool name, with its exit code, is
 * in test/e2e/code-cache.test.ts, whose start without a code cache is that refused start.)
 */
const env = () => isolatedEnv({ SWAS_MCP_SIMULATE: 'true', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'warn' });

/** The tool names a server started with this environment and these flags lists. */
async function listed(environment: Record<string, string>, args: string[] = []): Promise<string[]> {
  const client = testClient('tool-selection');
  const server = await serveInProcess(client, environment, args);
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally { await server.close(); }
}

describe('choosing the tools at start-up', () => {
  it('registers only the named tools (SWAS_MCP_TOOLS), within the mode', async () => {
    expect(await listed({ ...env(), SWAS_MCP_TOOLS: 'list_instances,create_snapshot' })).toEqual(['list_instances', 'create_snapshot']);
    expect(await listed({ ...env(), SWAS_MCP_TOOLS: 'list_instances,create_snapshot' }, ['--read-only'])).toEqual(['list_instances']);
  });

  it('offers the destructive tools only with --allow-destructive, and never in read-only mode', async () => {
    const destructive = ALL_TOOLS.filter((t) => t.kind === 'destructive').map((t) => t.name);
    expect(await listed(env())).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'destructive' && t.kind !== 'purchase').map((t) => t.name));
    expect(await listed(env(), ['--allow-destructive'])).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'purchase').map((t) => t.name));
    const both = await listed(env(), ['--allow-destructive', '--read-only']);
    for (const d of destructive) expect(both).not.toContain(d);
  });

  it('offers create_servers_from_image only with --allow-purchase or SWAS_MCP_ALLOW_PURCHASE=true, and never in read-only mode', async () => {
    expect(await listed(env(), ['--allow-destructive'])).not.toContain('create_servers_from_image');
    expect(await listed(env(), ['--allow-purchase'])).toContain('create_servers_from_image');
    expect(await listed({ ...env(), SWAS_MCP_ALLOW_PURCHASE: 'true' })).toContain('create_servers_from_image');
    const readOnly = await listed({ ...env(), SWAS_MCP_ALLOW_PURCHASE: 'true' }, ['--read-only']);
    expect(readOnly).not.toContain('create_servers_from_image');
    expect(readOnly).toContain('list_plans');
  });
});
