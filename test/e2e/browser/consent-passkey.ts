import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrollment } from '../../../src/consent/enroll.js';
import { FilePasskeys } from '../../../src/consent/passkeys.js';
import { DEMO } from '../../../src/simulator/index.js';
import { haveChromium, newChromiumContext, takeScreenshots } from '../../helpers/browser.js';
import { humanHarness, type HumanHarness } from '../../helpers/human.js';

/**
 * The person, played in a real browser: Debian's Chromium with a virtual authenticator (user
 * verification on) enrolls a passkey on the `passkey add` page, then opens the approval page whose
 * link the model was given, reads the plan and approves with the passkey. The model's next call
 * carries the change out; the ledger names the channel and the passkey. With SWAS_TEST_SCREENSHOTS=1
 * it saves the page before and after, test-output/approval-page.png and approval-approved.png.
 */
const OUT = resolve(__dirname, '../../../test-output');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = CallToolResult & { structuredContent?: Record<string, any> };
const ACCOUNT = '5555666677778888';
const share = { RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [ACCOUNT] };

describe.skipIf(!haveChromium)('approving with a passkey in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let h: HumanHarness;
  let passkeys: FilePasskeys;

  beforeAll(async () => {
    passkeys = new FilePasskeys(join(mkdtempSync(join(tmpdir(), 'swas-passkeys-')), 'passkeys.json'));
    // The browser opens while the harness starts (the worker's first browser file starts Chromium).
    const opening = newChromiumContext().then(async (c) => { context = c; page = await c.newPage(); });
    opening.catch(() => undefined); // awaited below; afterAll closes what opened if the harness fails first
    h = await humanHarness({ SWAS_MCP_WAIT_TIMEOUT_MS: '100' }, passkeys);
    await opening;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
  }, 60_000);
  afterAll(async () => { await context?.close(); await h?.close(); });

  it('enrolls a passkey, approves the plan with it, and the call completes; the ledger says passkey', async () => {
    // The operator: swas-image-mcp passkey add.
    const enrollment = await startEnrollment(passkeys, pino({ level: 'silent' }));
    await page.goto(enrollment.url);
    await page.fill('#name', 'ops-laptop');
    await page.click('#add');
    await expect(enrollment.done).resolves.toBe('ops-laptop');
    await enrollment.close();
    expect(await passkeys.enrolled()).toBe(true);

    // The model: a client without elicitation gets the link, and nothing it can approve with.
    const model = await h.connect('legacy');
    const first = (await model.callTool({ name: 'share_custom_image', arguments: share })) as Result;
    expect(first.structuredContent?.Error?.Code).toBe('AwaitingApproval');
    const url = first.structuredContent?.ApprovalUrl as string;
    const approvalId = first.structuredContent?.ApprovalId as string;
    expect(url).toMatch(/^http:\/\/localhost:\d+\/approve\//);
    expect(h.mutations()).toEqual([]);

    // The person: reads the plan, approves with the passkey.
    await page.goto(url);
    const plan = await page.locator('#plan').innerText();
    expect(plan).toContain(DEMO.blogImageId);
    expect(plan).toContain(ACCOUNT);
    expect(h.mutations()).toEqual([]);
    if (takeScreenshots) {
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, 'approval-page.png'), fullPage: true });
    }
    await page.click('#approve');
    await page.waitForSelector('#result');
    expect(await page.locator('#result').innerText()).toBe('Approved');
    if (takeScreenshots) await page.screenshot({ path: join(OUT, 'approval-approved.png'), fullPage: true });

    // The model's next call carries out exactly the approved plan, once.
    const done = (await model.callTool({ name: 'share_custom_image', arguments: { ...share, ApprovalId: approvalId } })) as Result;
    expect(done.isError, JSON.stringify(done.content)).toBeFalsy();
    expect(h.mutations()).toEqual(['AddCustomImageShareAccount']);
    const intent = h.ledger().find((l) => l.phase === 'intent');
    expect(intent?.consent).toEqual({ channel: 'passkey', approver: 'ops-laptop' });
    if (takeScreenshots) expect(existsSync(join(OUT, 'approval-page.png'))).toBe(true);
  }, 60_000);

  it('a second passkey cannot be added without using an existing one', async () => {
    const enrollment = await startEnrollment(passkeys, pino({ level: 'silent' }));
    try {
      const res = await fetch(`${enrollment.url}/reg-options`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"intruder"}' });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/confirm with one of them first/);
    } finally {
      await enrollment.close();
    }
  });
});
