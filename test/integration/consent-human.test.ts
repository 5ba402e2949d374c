import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import type { PasskeyAuthority } from '../../src/consent/index.js';
import { humanHarness, personDecides, type ClientKind, type HumanHarness } from '../helpers/human.js';

/**
 * SWAS_MCP_CONSENT=human: a change happens only after a person approved it through a channel the
 * model does not drive. The model is played by clients that read every answer and try every
 * call; the person by the test answering a form or pressing a button on the approval page.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = CallToolResult & { structuredContent?: Record<string, any> };

let h: HumanHarness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const ACCOUNT = '5555666677778888';
const share = { RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [ACCOUNT] };
const call = async (c: Client, name: string, args: Record<string, unknown>) => (await c.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const code = (r: Result) => r.structuredContent?.Error?.Code as string | undefined;
const intents = (x: HumanHarness) => x.ledger().filter((l) => l.phase === 'intent');

/** A passkey authority with one passkey enrolled that nobody in the test can produce. */
const unreachablePasskey: PasskeyAuthority = {
  enrolled: async () => true,
  options: async () => ({ challenge: 'x' }),
  verify: async () => undefined,
  browserScript: async () => '',
};

describe('a model cannot approve its own change', () => {
  it.each<ClientKind>(['legacy', 'modern'])('%s client without elicitation: every tool, DryRun, repeats and the page itself — nothing mutating is sent', async (kind) => {
    // Each call that names a pending ApprovalId waits this long for the person (who never comes):
    // ~30 such calls a client, so 5 ms rather than 50 keeps ~1.5 s of waiting out of each case.
    h = await humanHarness({ SWAS_MCP_WAIT_TIMEOUT_MS: '5' }, unreachablePasskey);
    const model = call.bind(null, await h.connect(kind));
    const seen: Result[] = [];
    const attempts: [string, Record<string, unknown>][] = [
      ['share_custom_image', share],
      ['share_custom_image', { ...share, DryRun: true }],
      ['delete_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] }],
      ['delete_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId], DryRun: true }],
      ['tag_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogImageId], Tag: [{ Key: 'app', Value: 'taken' }] }],
      ['tag_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogImageId], RemoveTagKeys: ['app'] }],
      ['delete_snapshots', { RegionId: DEMO.region, SnapshotIds: [DEMO.archiveFailedSnapshotId] }],
      ['reset_system', { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageId: DEMO.blogImageId }],
    ];
    for (const [name, args] of attempts) {
      const first = await model(name, args);
      seen.push(first);
      // Everything an answer holds is tried back: ApprovalId, any token-like value, again and again.
      const id = first.structuredContent?.ApprovalId as string | undefined;
      for (let i = 0; i < 3; i++) {
        const { DryRun: _d, ...real } = args;
        seen.push(await model(name, { ...real, ...(id ? { ApprovalId: id } : {}) }));
      }
      // The page whose link the model saw: opening it decides nothing, and approving needs a passkey.
      const url = seen.map((r) => r.structuredContent?.ApprovalUrl as string | undefined).find(Boolean);
      if (url) {
        const tried = await personDecides(url, 'approve');
        expect(tried.status).toBe(403);
        expect(tried.answer).toContain('passkey');
        const base = new URL(url).origin;
        for (const guess of ['/approve/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `/approve/${id ?? 'x'}`, '/approve/']) {
          expect((await fetch(`${base}${guess}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve&digest=x' })).status).toBeGreaterThanOrEqual(400);
        }
        if (id) seen.push(await model(name, { ...args, DryRun: false, ApprovalId: id }));
      }
    }
    for (const r of seen) {
      expect(r.structuredContent?.ConfirmToken).toBeUndefined();
      expect(text(r)).not.toMatch(/ConfirmToken "/);
    }
    expect(seen.map(code).filter((c) => c !== undefined)).toEqual(expect.arrayContaining(['AwaitingApproval']));
    expect(h.mutations()).toEqual([]);
    expect(h.ledger()).toEqual([]);
  });

  it('without passkeys or elicitation the answer is HumanApprovalUnavailable with the three ways out', async () => {
    h = await humanHarness();
    const r = await call(await h.connect('legacy'), 'share_custom_image', share);
    expect(code(r)).toBe('HumanApprovalUnavailable');
    expect(text(r)).toMatch(/elicitation/);
    expect(text(r)).toMatch(/passkey add/);
    expect(text(r)).toMatch(/SWAS_MCP_CONSENT=confirm/);
    expect(h.mutations()).toEqual([]);
  });

  it('DryRun gives the plan and an ApprovalId, never a ConfirmToken', async () => {
    h = await humanHarness();
    const r = await call(await h.connect('modern'), 'share_custom_image', { ...share, DryRun: true });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent?.ApprovalId).toMatch(/^apv-/);
    expect(r.structuredContent?.ConfirmToken).toBeUndefined();
    expect(r.structuredContent?.Plan).toBeDefined();
    expect(text(r)).toContain(`"ApprovalId":"${r.structuredContent?.ApprovalId as string}"`);
  });
});

describe('form elicitation', () => {
  it.each<ClientKind>(['legacy', 'modern'])('%s: the person ticks yes; the change is sent once and the ledger says form', async (kind) => {
    h = await humanHarness();
    const asked: string[] = [];
    const c = await h.connect(kind, { elicitation: { form: {} } }, async (p) => { asked.push(p.message as string); return { action: 'accept', content: { confirm: true } }; });
    const r = await call(c, 'share_custom_image', share);
    expect(r.isError, text(r)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'form' });
  });

  it.each<ClientKind>(['legacy', 'modern'])('%s: declined, nothing sent', async (kind) => {
    h = await humanHarness();
    const c = await h.connect(kind, { elicitation: { form: {} } }, async () => ({ action: 'decline' }));
    expect(code(await call(c, 'share_custom_image', share))).toBe('DeclinedByUser');
    expect(h.mutations()).toEqual([]);
  });

  it.each(['human', 'confirm'])('%s mode: a 2025 client that never answers the form gets ConsentTimedOut, nothing sent', async (mode) => {
    h = await humanHarness({ SWAS_MCP_CONSENT: mode, SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS: '50' });
    const c = await h.connect('legacy', { elicitation: { form: {} } }, () => new Promise(() => undefined));
    const r = await call(c, 'share_custom_image', share);
    expect(code(r)).toBe('ConsentTimedOut');
    expect(h.mutations()).toEqual([]);
  });
});

describe('URL elicitation: the client opens the approval page for the person', () => {
  it.each<ClientKind>(['legacy', 'modern'])('%s: the person approves on the page; the call completes and the ledger says url', async (kind) => {
    h = await humanHarness();
    const x = h;
    let opened: { page: string; status: number } | undefined;
    let url = '';
    const c = await x.connect(kind, { elicitation: { url: {} } }, async (p) => {
      expect(p.mode).toBe('url');
      url = p.url as string;
      // Opening the page (a link preview would, too) decides nothing.
      expect((await fetch(p.url as string)).status).toBe(200);
      expect(x.mutations()).toEqual([]);
      opened = await personDecides(p.url as string, 'approve');
      return { action: 'accept' };
    });
    const r = await call(c, 'share_custom_image', share);
    expect(r.isError, text(r)).toBeFalsy();
    expect(opened?.status).toBe(200);
    expect(opened?.page).toContain(DEMO.blogImageId);
    expect(url).toMatch(/^http:\/\/localhost:\d+\/approve\/[A-Za-z0-9_-]{32}$/);
    expect(x.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(x)[0]?.consent).toEqual({ channel: 'url' });
    // Nothing waits any more: the loopback page is closed, whichever era retried the call.
    await vi.waitFor(async () => { await expect(fetch(url)).rejects.toThrow(); });
  });

  it('declined on the page: DeclinedByUser, nothing sent', async () => {
    h = await humanHarness();
    const c = await h.connect('legacy', { elicitation: { url: {} } }, async (p) => { await personDecides(p.url as string, 'decline'); return { action: 'accept' }; });
    expect(code(await call(c, 'share_custom_image', share))).toBe('DeclinedByUser');
    expect(h.mutations()).toEqual([]);
  });

  it('a 2025 client over stateless HTTP gets -32042 with the page; after the person approved, its retry completes', async () => {
    h = await humanHarness();
    const c = await h.connect('stateless');
    const err = await call(c, 'share_custom_image', share).then(() => undefined, (e: unknown) => e as { code?: number; data?: { elicitations?: { url: string; mode: string }[] } });
    expect(err?.code).toBe(-32042);
    const url = err?.data?.elicitations?.[0]?.url as string;
    expect(url).toMatch(/^http:\/\/localhost:\d+\/approve\//);
    expect(h.mutations()).toEqual([]);
    expect((await personDecides(url, 'approve')).status).toBe(200);
    const r = await call(c, 'share_custom_image', share);
    expect(r.isError, text(r)).toBeFalsy();
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'url' });
  });

  it('expiry: an approval given after 10 minutes carries nothing out', async () => {
    h = await humanHarness({ SWAS_MCP_WAIT_TIMEOUT_MS: '50' });
    const c = await h.connect('stateless');
    const err = await call(c, 'share_custom_image', share).then(() => undefined, (e: unknown) => e as { data?: { elicitations?: { url: string }[] } });
    const url = err?.data?.elicitations?.[0]?.url as string;
    h.clock.now += 10 * 60_000 + 1;
    expect((await personDecides(url, 'approve')).status).toBe(404);
    await call(c, 'share_custom_image', share).catch(() => undefined);
    expect(h.mutations()).toEqual([]);
  });

  it('single use: two concurrent calls with one approval make one change', async () => {
    h = await humanHarness({ SWAS_MCP_WAIT_TIMEOUT_MS: '50' });
    const c = await h.connect('stateless');
    const err = await call(c, 'share_custom_image', share).then(() => undefined, (e: unknown) => e as { data?: { elicitations?: { url: string; elicitationId: string }[] } });
    const { url, elicitationId } = err!.data!.elicitations![0]!;
    await personDecides(url, 'approve');
    const both = await Promise.allSettled([
      call(c, 'share_custom_image', { ...share, ApprovalId: elicitationId }),
      call(c, 'share_custom_image', { ...share, ApprovalId: elicitationId }),
    ]);
    const done = both.filter((b) => b.status === 'fulfilled' && !b.value.isError);
    expect(done).toHaveLength(1);
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(h)).toHaveLength(1);
  });
});

describe('the other policies', () => {
  it('off never asks; the ledger says off', async () => {
    h = await humanHarness({ SWAS_MCP_CONSENT: 'off' });
    const asked: unknown[] = [];
    const c = await h.connect('legacy', { elicitation: { form: {} } }, async (p) => { asked.push(p); return { action: 'decline' }; });
    const r = await call(c, 'share_custom_image', share);
    expect(r.isError, text(r)).toBeFalsy();
    expect(asked).toEqual([]);
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'off' });
  });

  it('confirm: the token round trip, recorded as confirm-token; a token from another process names the key-file setting', async () => {
    h = await humanHarness({ SWAS_MCP_CONSENT: 'confirm' });
    const c = await h.connect('legacy');
    const first = await call(c, 'share_custom_image', share);
    expect(code(first)).toBe('ConfirmationRequired');
    const token = first.structuredContent?.ConfirmToken as string;
    const other = await call(c, 'share_custom_image', { ...share, ConfirmToken: `${token.slice(0, 10)}x${token.slice(11)}` });
    expect(text(other)).toMatch(/new server process for every call/);
    expect(text(other)).toContain('SWAS_MCP_CONSENT_KEY_FILE');
    // Five calls at once with one token: one change, one ledger intent.
    // (Calls whose preflight reads after the first change see nothing left to do and answer Changed false.)
    await Promise.all(Array.from({ length: 5 }, () => call(c, 'share_custom_image', { ...share, ConfirmToken: token })));
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(intents(h)).toHaveLength(1);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'confirm-token' });
  });
});
