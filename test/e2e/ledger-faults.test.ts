// The ledger file and the process: a ledger file others can read stops the start, and SIGHUP
// reopens the ledger's path. The file changing under a running server (removed, replaced, rotated
// away) is in test/integration/ledger-faults.test.ts.
import { chmodSync, existsSync, mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it, vi } from 'vitest';
import { runProcess } from '../helpers/process.js';
import { isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'swas-ledger-faults-'));

describe('a ledger file others can read', () => {
  it('stops the start with exit code 2 and the chmod to run, said once', async () => {
    const path = join(dir, 'readable.jsonl');
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    const run = await runProcess(process.execPath, [SERVER_ENTRY], { env: isolatedEnv({ SWAS_MCP_AUDIT_LOG: path }), timeoutMs: 20_000 });
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
