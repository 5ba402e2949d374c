// The ledger file and the process: a ledger file others can read stops the start. SIGHUP reopening
// the ledger's path is heard by a process of test/e2e/stdio-robustness.test.ts. The file changing
// under a running server (removed, replaced, rotated away) is in test/integration/ledger-faults.test.ts.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
