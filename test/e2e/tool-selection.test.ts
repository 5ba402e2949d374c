import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { isolatedEnv, SERVER_ENTRY, spawnServer } from '../helpers/stack.js';

const env = () => isolatedEnv({ SWAS_MCP_SIMULATE: 'true', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'warn' });

describe('choosing the tools at start-up', () => {
  it('stops with exit code 2, naming the unknown tool and the known ones', () => {
    const res = spawnSync(process.execPath, [SERVER_ENTRY, '--tools', 'list_instances,delete_everything'], { env: env(), encoding: 'utf8', input: '' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('delete_everything');
    expect(res.stderr).toContain('list_instances');
    expect(res.stdout).toBe('');
  });

  it('registers only the named tools (SWAS_MCP_TOOLS), within the mode', async () => {
    const server = await spawnServer({ ...env(), SWAS_MCP_TOOLS: 'list_instances,create_snapshot' });
    try {
      expect((await server.client.listTools()).tools.map((t) => t.name)).toEqual(['list_instances', 'create_snapshot']);
    } finally { await server.close(); }
    const readOnly = await spawnServer({ ...env(), SWAS_MCP_TOOLS: 'list_instances,create_snapshot' }, ['--read-only']);
    try {
      expect((await readOnly.client.listTools()).tools.map((t) => t.name)).toEqual(['list_instances']);
    } finally { await readOnly.close(); }
  });

  it('offers the destructive tools only with --allow-destructive, and never in read-only mode', async () => {
    const destructive = ALL_TOOLS.filter((t) => t.kind === 'destructive').map((t) => t.name);
    const plain = await spawnServer(env());
    const allowed = await spawnServer(env(), ['--allow-destructive']);
    const both = await spawnServer(env(), ['--allow-destructive', '--read-only']);
    try {
      const names = async (s: typeof plain) => (await s.client.listTools()).tools.map((t) => t.name);
      expect(await names(plain)).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'destructive' && t.kind !== 'purchase').map((t) => t.name));
      expect(await names(allowed)).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'purchase').map((t) => t.name));
      for (const d of destructive) expect(await names(both)).not.toContain(d);
    } finally { await Promise.all([plain.close(), allowed.close(), both.close()]); }
  });

  it('offers create_servers_from_image only with --allow-purchase or SWAS_MCP_ALLOW_PURCHASE=true, and never in read-only mode', async () => {
    const plain = await spawnServer(env(), ['--allow-destructive']);
    const flag = await spawnServer(env(), ['--allow-purchase']);
    const variable = await spawnServer({ ...env(), SWAS_MCP_ALLOW_PURCHASE: 'true' });
    const readOnly = await spawnServer({ ...env(), SWAS_MCP_ALLOW_PURCHASE: 'true' }, ['--read-only']);
    try {
      const names = async (s: typeof plain) => (await s.client.listTools()).tools.map((t) => t.name);
      expect(await names(plain)).not.toContain('create_servers_from_image');
      expect(await names(flag)).toContain('create_servers_from_image');
      expect(await names(variable)).toContain('create_servers_from_image');
      expect(await names(readOnly)).not.toContain('create_servers_from_image');
      expect(await names(readOnly)).toContain('list_plans');
    } finally { await Promise.all([plain.close(), flag.close(), variable.close(), readOnly.close()]); }
  });
});
