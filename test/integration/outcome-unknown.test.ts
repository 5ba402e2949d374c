// A change whose answer never came back because the client cancelled is recorded as `unknown`, not
// as failed, and the next call on the same resource reads it back. The server process stopped
// mid-call, and the next start reconciling, are in test/e2e/stdio-robustness.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, ledgerLines, newLedgerPath } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
interface Line { action: string; phase: string; clientToken?: string; ok?: boolean; outcome?: string; found?: string; errorCode?: string }
const read = (path: string): Line[] => ledgerLines<Line>(path);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined); });

describe('the client cancels after the request reached the API (notifications/cancelled)', () => {
  it('outcome unknown, not failed; the next call on the image reads it back and records it reconciled (applied)', async () => {
    const ledger = newLedgerPath();
    const stack = await startToolStack({ env: { SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT: 'confirm' } });
    cleanups.push(() => stack.close());
    const id = stack.sim.state.addImage({ name: 'cancelled-share', instanceId: DEMO.shopServerId }).imageId;
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true };
    // Sharing to ECS in the same account needs no consent: the call goes straight to the API.
    // The API carries the share out, and its answer never comes back.
    stack.sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true });
    const stop = new AbortController();
    const pending = stack.client.callTool({ name: 'share_custom_image', arguments: args }, { signal: stop.signal });
    await vi.waitFor(() => expect(stack.sim.state.image(id)!.inShare).toBe(true), { timeout: 10_000 });
    stop.abort('user cancelled');
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(read(ledger).filter((l) => l.phase === 'outcome')).toHaveLength(1), { timeout: 10_000 });
    const [intent, outcome] = read(ledger);
    expect(outcome).toMatchObject({ outcome: 'unknown', ok: false, errorCode: 'Cancelled', clientToken: intent!.clientToken });
    expect(outcome).not.toMatchObject({ outcome: 'failed' });

    // The next change of the same image settles the unknown one first.
    const unshare = { ...args, Operation: 'UnShare' };
    const res = await call(stack.client, 'share_custom_image', unshare);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(read(ledger).map((l) => [l.phase, l.outcome, l.found])).toEqual([
      ['intent', undefined, undefined], ['outcome', 'unknown', undefined],
      ['outcome', 'reconciled', 'applied'],
      ['intent', undefined, undefined], ['outcome', 'ok', undefined],
    ]);
    expect(read(ledger)[2]).toMatchObject({ clientToken: intent!.clientToken, ok: true });
  });
});
