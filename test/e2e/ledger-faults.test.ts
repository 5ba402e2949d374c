// The ledger file changes under a running server: removed and replaced by something that cannot
// take a line (nothing is sent), rotated away (the next line goes to the new file). And a ledger
// file others can read stops the start.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, isolatedEnv, SERVER_ENTRY, startStack, textOf, type Stack } from '../helpers/stack.js';

const R = DEMO.region;
const dir = mkdtempSync(join(tmpdir(), 'swas-ledger-faults-'));
const ledgerPath = join(dir, 'audit.jsonl');
let stack: Stack;

beforeAll(async () => { stack = await startStack({ env: { SWAS_MCP_AUDIT_LOG: ledgerPath } }); });
afterAll(async () => { await stack?.close(); });

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
let serial = 0;
const tagArgs = () => {
  const id = stack.sim.state.addImage({ name: `ledger-faults-${++serial}`, instanceId: DEMO.shopServerId }).imageId;
  return { RegionId: R, ImageIds: [id], Tag: [{ Key: 'k', Value: String(serial) }] };
};

describe('the ledger file after start', () => {
  it('rotated away: the next change is recorded in a new file at the path, not in the rotated one', async () => {
    const first = await call(stack.client, 'tag_custom_images', tagArgs());
    expect(first.isError, textOf(first)).toBeFalsy();
    renameSync(ledgerPath, `${ledgerPath}.1`);
    const second = await call(stack.client, 'tag_custom_images', tagArgs());
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(lines(`${ledgerPath}.1`)).toHaveLength(2);
    expect(lines(ledgerPath).map((l) => l.phase)).toEqual(['intent', 'outcome']);
  });

  it('removed and replaced by a directory: AuditLedgerUnwritable (stage config), and nothing is sent', async () => {
    rmSync(ledgerPath, { force: true });
    mkdirSync(ledgerPath);
    const before = stack.sim.stats.count('TagResources');
    const res = await call(stack.client, 'tag_custom_images', tagArgs());
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'AuditLedgerUnwritable', Stage: 'config' });
    expect(textOf(res)).toMatch(/^AuditLedgerUnwritable: The audit ledger could not be written, so TagResources was not sent\./);
    expect(textOf(res)).not.toContain('bug');
    expect(stack.sim.stats.count('TagResources')).toBe(before);
    rmSync(ledgerPath, { recursive: true });
  });
});

describe('a ledger file others can read', () => {
  it('stops the start with exit code 2 and the chmod to run, said once', () => {
    const path = join(dir, 'readable.jsonl');
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    const run = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: isolatedEnv({ SWAS_MCP_AUDIT_LOG: path }), input: '', encoding: 'utf8', timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`its mode is 0640`);
    expect(run.stderr).toContain(`chmod 600 ${path}`);
    expect(run.stderr).not.toContain('..');
    expect(run.stderr.match(/Set SWAS_MCP_AUDIT_LOG/g)).toHaveLength(1);
  });
});

describe('SIGHUP', () => {
  it('reopens the ledger path: after logrotate moved the file away, a new 0600 file is there at once', async () => {
    const path = join(dir, 'hup.jsonl');
    const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: isolatedEnv({ SWAS_MCP_AUDIT_LOG: path, SWAS_MCP_SIMULATE: 'true' }), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const client = new Client({ name: 'hup-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      renameSync(path, `${path}.1`);
      expect(existsSync(path)).toBe(false);
      process.kill(transport.pid!, 'SIGHUP');
      await vi.waitFor(() => expect(stderr).toContain('audit ledger reopened'), { timeout: 10_000 });
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      await client.close();
    }
  });
});
