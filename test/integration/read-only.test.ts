import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { call, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const LIST_TOOLS = ALL_TOOLS.filter((t) => t.kind === 'read').map((t) => t.name).sort();
const DEFAULT_TOOLS = ALL_TOOLS.filter((t) => t.kind !== 'destructive' && t.kind !== 'purchase').map((t) => t.name).sort();
const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };

function promptText(result: { messages: { content: { type: string; text?: string } }[] }): string {
  return result.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
}

describe.each([
  { how: '--read-only', opts: { args: ['--read-only'] } },
  { how: 'SWAS_MCP_READ_ONLY=true', opts: { env: { SWAS_MCP_READ_ONLY: 'true' } } },
])('read-only mode via $how', ({ opts }) => {
  let stack: Stack;
  beforeAll(async () => { stack = await startToolStack(opts); });
  afterAll(async () => { await stack?.close(); });

  it('advertises exactly the read tools, each annotated read-only', async () => {
    const { tools } = await stack.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(LIST_TOOLS);
    for (const t of tools) {
      expect(t.annotations, t.name).toMatchObject(READ_ONLY);
      expect(t.title, t.name).toBeTruthy();
      expect(t.outputSchema, t.name).toBeDefined();
    }
  });

  it('refuses the create tools as unknown, sending nothing', async () => {
    stack.sim.stats.reset();
    // v2 answers an unknown tool with a JSON-RPC error (-32602), as the spec says, not a tool result.
    await expect(call(stack.client, 'create_custom_image', { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageName: 'ro-image', SystemSnapshotId: DEMO.blogSystemSnapshotId }))
      .rejects.toThrow('Tool create_custom_image not found');
    await expect(call(stack.client, 'create_snapshot', { RegionId: DEMO.region, InstanceId: DEMO.shopServerId, SnapshotName: 'ro-snap' }))
      .rejects.toThrow('Tool create_snapshot not found');
    expect(stack.sim.stats.requests()).toEqual([]);
  });

  it('still reads', async () => {
    const res = await call(stack.client, 'list_instances', { InstanceName: DEMO.shopServerName });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent!.Instances[0].InstanceId).toBe(DEMO.shopServerId);
  });

  it('keeps the image_server prompt, which says creation is disabled', async () => {
    const { prompts } = await stack.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['image_server']);
    expect(prompts[0]!.description).toContain('read-only');
    const text = promptText(await stack.client.getPrompt({ name: 'image_server', arguments: { InstanceName: DEMO.shopServerName } }));
    expect(text).toContain('READ-ONLY mode');
    expect(text).toContain('list_instances with RegionId "cn-hangzhou" and InstanceName "shop-server"');
    expect(text).not.toMatch(/Call create_snapshot|Call create_custom_image/);
  });
});

describe('writable mode, for contrast', () => {
  let stack: Stack;
  beforeAll(async () => { stack = await startToolStack(); });
  afterAll(async () => { await stack?.close(); });

  it('advertises every tool but the destructive ones, with honest annotations', async () => {
    const { tools } = await stack.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(DEFAULT_TOOLS);
    // Sharing exposes a disk's contents (or breaks ECS re-initialisation): destructive, asks consent.
    expect(byName.share_custom_image!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    // Tagging overwrites and removes tags under consent: destructive too.
    expect(byName.tag_custom_images!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    for (const name of LIST_TOOLS) expect(byName[name]!.annotations).toMatchObject(READ_ONLY);
    expect(byName.create_snapshot!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    const input = byName.create_snapshot!.inputSchema;
    expect(input.required).toEqual(['RegionId', 'SnapshotName']);
    expect(Object.keys(input.properties ?? {})).toEqual(expect.arrayContaining(['InstanceId', 'DiskId', 'WaitForAccomplished', 'DryRun', 'Tag']));
    // The server derives ClientToken; it is accepted but not published (create_custom_image publishes it).
    expect(Object.keys(input.properties ?? {})).not.toContain('ClientToken');
  });

  it('serves the full walk-through in the right order', async () => {
    const text = promptText(await stack.client.getPrompt({ name: 'image_server', arguments: { InstanceId: DEMO.shopServerId, ImageName: 'shop-img' } }));
    const order = ['list_instances', 'DryRun true', 'as it is now', 'WARNING', 'confirm', 'WaitForAvailable true', 'ContinueWith', '"Done"', 'snapshots the operation took'];
    const at = order.map((w) => text.indexOf(w));
    for (const [n, i] of at.entries()) expect(i, order[n]).toBeGreaterThanOrEqual(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain(`InstanceIds ["${DEMO.shopServerId}"]`);
    expect(text).toContain('ImageName "shop-img"');
    expect(text).not.toContain('READ-ONLY');
  });
});
