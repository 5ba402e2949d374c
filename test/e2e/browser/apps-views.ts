import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_QUOTA_CAP, SNAPSHOTS_PER_SERVER } from '../../../src/preflight/quotas.js';
import { DEMO } from '../../../src/simulator/index.js';
import { backgroundOf, DARK_BACKGROUND, haveChromium, LIGHT_BACKGROUND, startAppHost, type AppHost } from '../../helpers/app-host.js';

/**
 * The views in a real browser: Debian's Chromium runs a host page built on ext-apps' AppBridge,
 * which renders each view in a sandboxed iframe and passes the view's tool calls to the server:
 * the real built server process (stdio) for the inventory, the server in this process for the rest. Nothing may leave the page: it is set from memory and the
 * views are srcdoc frames, so any request at all would be a view reaching out.
 */
/** A public system image of the simulator (Ubuntu). */
const UBUNTU = 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c';
const HOSTILE = '<img src="http://203.0.113.9/leak.png" onerror="document.title=\'pwned\'">';

describe.skipIf(!haveChromium)('inventory view in Chromium', () => {
  let h: AppHost;
  beforeAll(async () => {
    h = await startAppHost({ process: true });
    // API text that would fetch and run something if a view parsed it as HTML.
    h.stack.sim.state.addInstance({ regionId: DEMO.region, instanceName: HOSTILE });
  }, 60_000);
  afterAll(async () => { await h?.close(); });

  it('shows every region\'s images against the quota and every server\'s snapshots, refreshes, sorts by age', async () => {
    const { frame, result } = await h.show('inventory', { name: 'list_custom_images', arguments: { RegionId: DEMO.region } });
    // The model's own result is what it always was: text and structuredContent, nothing of the view.
    expect(result.structuredContent?.Images?.length).toBeGreaterThan(0);
    expect(result.content[0]?.type).toBe('text');
    const region = frame.locator(`section[data-region="${DEMO.region}"]`);
    await region.locator('.quota-text').waitFor();

    // The simulator's own images, each a row; the quota as the simulator counts it, out of 15.
    const own = h.stack.sim.state.images(DEMO.region);
    expect(own.length).toBeGreaterThan(0);
    for (const m of own) {
      const row = region.locator(`tr[data-image-id="${m.imageId}"]`);
      await expect(row.innerText()).resolves.toContain(m.name);
    }
    expect(await region.locator('tr[data-image-id]').count()).toBe(own.length);
    const quota = await region.locator('.quota-text').innerText();
    expect(quota).toContain(`${own.length} / ${IMAGE_QUOTA_CAP} custom images`);
    const meter = region.locator('.quota [role="meter"]');
    expect(await meter.getAttribute('aria-valuenow')).toBe(String(own.length));
    expect(await meter.getAttribute('aria-valuemax')).toBe(String(IMAGE_QUOTA_CAP));
    // Another region is read too, though the model asked for one: the view asks for RegionId "all".
    const other = h.stack.sim.state.images(DEMO.otherRegion);
    if (other.length) await frame.locator(`section[data-region="${DEMO.otherRegion}"] tr[data-image-id="${other[0]!.imageId}"]`).waitFor();
    expect(h.viewCalls.map((c) => [c.name, c.arguments.RegionId]).sort()).toEqual([
      ['list_custom_images', 'all'], ['list_instances', 'all'], ['list_snapshots', 'all'],
    ]);

    // Snapshots per server, against the per-server quota: the archive server is at it.
    const archive = frame.locator(`[data-server-id="${DEMO.archiveServerId}"] .snapshot-quota`);
    await expect(archive.innerText()).resolves.toBe(`${SNAPSHOTS_PER_SERVER} / ${SNAPSHOTS_PER_SERVER} snapshots`);

    // API text is shown as text, never parsed: the hostile server name is on the page literally.
    await expect(frame.locator('.server-head', { hasText: 'leak.png' }).first().innerText()).resolves.toContain(HOSTILE);
    expect(await frame.locator('img').count()).toBe(0);

    // Oldest first by default: the first row of each region is its oldest image.
    const byAge = [...own].sort((a, b) => Date.parse(a.creationTime) - Date.parse(b.creationTime));
    expect(await region.locator('tr[data-image-id]').first().getAttribute('data-image-id')).toBe(byAge[0]!.imageId);
    // Newest first, chosen with the keyboard.
    await frame.locator('#sort').focus();
    await frame.locator('#sort').selectOption('newest');
    expect(await region.locator('tr[data-image-id]').first().getAttribute('data-image-id')).toBe(byAge.at(-1)!.imageId);

    // Refresh, with the keyboard: a new image appears.
    const before = h.viewCalls.length;
    const added = h.stack.sim.state.addImage({ name: 'added-while-open', instanceId: DEMO.shopServerId });
    await frame.locator('#refresh').focus();
    await h.page.keyboard.press('Enter');
    await region.locator(`tr[data-image-id="${added.imageId}"]`).waitFor();
    expect(h.viewCalls.length).toBe(before + 3);
    await expect(region.locator('.quota-text').innerText()).resolves.toContain(`${own.length + 1} / ${IMAGE_QUOTA_CAP}`);
    expect(await frame.locator('#refresh').evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);

    // Every button has a name.
    for (const b of await frame.locator('button').all()) expect(await b.getAttribute('aria-label')).toBeTruthy();

    // The view answers the host's requests as the protocol asks: a ping, and no method it does not know.
    expect(await h.probeView('inventory')).toEqual({ ping: {}, unknown: { code: -32601 } });

    expect(await backgroundOf(frame)).toBe(LIGHT_BACKGROUND);
    await h.screenshot('inventory', 'light');
    await h.setLook('inventory', { theme: 'dark', locale: 'de-DE' });
    await frame.locator('html[data-theme="dark"][lang="de-DE"]').waitFor();
    // Ages in the host's language: "vor 320 Tagen".
    await region.locator('tr[data-image-id] td:nth-child(5)', { hasText: /^vor \d+ Tag/ }).first().waitFor();
    await h.screenshot('inventory', 'dark');
    expect(await backgroundOf(frame)).toBe(DARK_BACKGROUND);

    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);

    // The page's own policy is in force: even a loopback fetch from the view is refused before it is sent.
    const fetched = await frame.locator('body').evaluate((b) => b.ownerDocument.defaultView!.fetch('http://127.0.0.1:9/').then(() => 'sent', () => 'refused'));
    expect(fetched).toBe('refused');
    expect(h.errors.some((e) => /Content Security Policy/.test(e) && e.includes("connect-src 'none'"))).toBe(true);
    expect(h.requests).toEqual([]);
  }, 60_000);
});

describe.skipIf(!haveChromium)('progress view in Chromium', () => {
  let h: AppHost;
  const clock = { t: Date.now() };
  beforeAll(async () => {
    h = await startAppHost({
      sim: { now: () => clock.t, imageReadyMs: 60_000, snapshotReadyMs: 60_000, resetMs: 60_000 },
      env: { SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_CONSENT: 'confirm' },
    });
  }, 60_000);
  afterAll(async () => { await h?.close(); });

  it('follows an image from Creating to Available on the simulator\'s clock, and stays closed', async () => {
    const { frame, result } = await h.show('progress', {
      name: 'create_custom_image',
      arguments: { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageName: 'progress-view-image', SystemSnapshotId: DEMO.blogSystemSnapshotId },
    });
    const imageId = result.structuredContent?.ImageId as string;
    expect(imageId).toMatch(/^m-/);
    expect(result.structuredContent?.Status).toBe('Creating');
    const row = frame.locator(`li[data-id="${imageId}"] .state`);
    await expect(row.innerText()).resolves.toBe('Creating');
    // Live: it asks the server through the host, without the model.
    await expect.poll(() => h.viewCalls.filter((c) => c.name === 'wait_for_resources').length, { timeout: 20_000 }).toBeGreaterThan(0);
    // The first read holds only a second, so the row does not say "not read yet" for long; later ones hold three.
    expect(h.viewCalls[0]?.arguments).toMatchObject({ RegionId: DEMO.region, ImageIds: [imageId], TimeoutSeconds: 1 });
    expect(await backgroundOf(frame)).toBe(LIGHT_BACKGROUND);
    await h.screenshot('progress', 'light');

    clock.t += 60_000;
    await frame.locator(`li[data-id="${imageId}"] .state`, { hasText: 'Available' }).waitFor({ timeout: 20_000 });
    await expect(frame.locator('#headline').innerText()).resolves.toBe('All done.');
    await h.setLook('progress', { theme: 'dark' });
    await frame.locator('html[data-theme="dark"]').waitFor();
    expect(await backgroundOf(frame)).toBe(DARK_BACKGROUND);
    await h.screenshot('progress', 'dark');
    // Done means done: no more polling.
    const calls = h.viewCalls.length;
    expect(await frame.locator('#follow').count()).toBe(0);
    expect(h.viewCalls.slice(1).map((c) => c.arguments.TimeoutSeconds)).toEqual(h.viewCalls.slice(1).map(() => 3));
    await expect(frame.locator(`li[data-id="${imageId}"] .path`).innerText()).resolves.toContain('Creating → Available');
    expect(h.viewCalls.length).toBe(calls);

    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('shows a snapshot\'s percentage as it moves, and resumes from the call when shown again', async () => {
    const snap = await h.stack.client.callTool({ name: 'create_snapshot', arguments: { RegionId: DEMO.region, InstanceId: DEMO.shopServerId, SnapshotName: 'progress-view-snap' } });
    const sc = (snap as { structuredContent?: Record<string, unknown> }).structuredContent ?? {};
    const snapshotId = sc.SnapshotId as string;
    expect(snapshotId).toMatch(/^s-/);
    clock.t += 30_000;
    // Shown later for the model's wait call: it picks up from the snapshot's state now.
    const { frame } = await h.show('progress', { name: 'wait_for_resources', arguments: { RegionId: DEMO.region, SnapshotIds: [snapshotId], TimeoutSeconds: 1 } });
    const bar = frame.locator(`li[data-id="${snapshotId}"] [role="progressbar"]`);
    await bar.waitFor();
    const mid = Number(await bar.getAttribute('aria-valuenow'));
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(100);
    clock.t += 30_000;
    await frame.locator(`li[data-id="${snapshotId}"] .state`, { hasText: 'accomplished' }).waitFor({ timeout: 20_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('follows a reset from Resetting to Running in the plan view the reset shows', async () => {
    const server = h.stack.sim.state.addInstance({ regionId: DEMO.region, instanceName: 'reset-in-view' });
    const args = { RegionId: DEMO.region, InstanceId: server.instanceId, ImageId: UBUNTU };
    const asked = await h.stack.client.callTool({ name: 'reset_system', arguments: args });
    const token = (asked as { structuredContent?: { ConfirmToken?: string } }).structuredContent?.ConfirmToken;
    expect(token).toEqual(expect.any(String));
    // A reset names the plan view: shown with the result of the reset that was sent, it shows the
    // plan without buttons and mounts the progress panel below it.
    const { frame, result } = await h.show('plan', { name: 'reset_system', arguments: { ...args, ConfirmToken: token } });
    expect(result.structuredContent?.Error).toBeUndefined();
    await expect(frame.locator('.summary').innerText()).resolves.toContain(server.instanceId);
    expect(await frame.locator('#approve').count()).toBe(0);
    // Resetting from the start: the state the reset's result read back, not "not read yet".
    const state = frame.locator(`li[data-id="${server.instanceId}"] .state`);
    await state.filter({ hasText: 'Resetting' }).waitFor({ timeout: 20_000 });
    clock.t += 60_000;
    await state.filter({ hasText: 'Running' }).waitFor({ timeout: 20_000 });
    await expect(frame.locator('#headline').innerText()).resolves.toBe('All done.');
    await expect(frame.locator(`li[data-id="${server.instanceId}"] .path`).innerText()).resolves.toContain('Resetting → Running');
    expect(h.viewCalls.filter((c) => c.name === 'wait_for_resources').at(-1)?.arguments).toMatchObject({ RegionId: DEMO.region, InstanceIds: [server.instanceId] });
    expect(h.stack.sim.stats.count('ResetSystem')).toBe(1);
    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  }, 60_000);
});
