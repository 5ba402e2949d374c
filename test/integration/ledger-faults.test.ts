// The ledger file changes under a running server: removed and replaced by something that cannot
// take a line (nothing is sent), rotated away (the next line goes to the new file). The start
// refused over a readable ledger file, and SIGHUP, are in test/e2e/ledger-faults.test.ts.
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack, ledgerLines } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
const dir = mkdtempSync(join(tmpdir(), 'swas-ledger-faults-'));
const ledgerPath = join(dir, 'audit.jsonl');
let stack: Stack;

beforeAll(async () => { stack = await startToolStack({ env: { SWAS_MCP_AUDIT_LOG: ledgerPath } }); });
afterAll(async () => { await stack?.close(); });

const lines = (path: string) => ledgerLines(path);
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
