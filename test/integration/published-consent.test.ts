import { afterAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf } from '../helpers/stack.js';

/** The tools with a consent step: what they publish depends on SWAS_MCP_CONSENT. */
const CONSENT_TOOLS = ['delete_custom_images', 'delete_snapshots', 'reset_system', 'share_custom_image', 'tag_custom_images'];

const open: InProcess[] = [];
afterAll(async () => { await Promise.all(open.map((s) => s.close())); });

async function published(mode: string) {
  const s = await startInProcess({ env: { SWAS_MCP_CONSENT: mode } });
  open.push(s);
  const { tools } = await s.client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  return { s, input: (name: string) => Object.keys(byName.get(name)!.inputSchema.properties ?? {}), output: (name: string) => Object.keys(byName.get(name)!.outputSchema?.properties ?? {}) };
}

describe('each consent mode publishes only its own consent arguments and result fields', () => {
  it('human (the default): ApprovalId, no ConfirmToken', async () => {
    const p = await published('human');
    for (const t of CONSENT_TOOLS) {
      expect(p.input(t), t).toContain('ApprovalId');
      expect(p.input(t), t).not.toContain('ConfirmToken');
      expect(p.output(t), t).toEqual(expect.arrayContaining(['ApprovalId', 'ApprovalExpiresAt', 'ApprovalUrl', 'Plan']));
      expect(p.output(t), t).not.toContain('ConfirmToken');
      expect(p.output(t), t).not.toContain('ConfirmTokenExpiresAt');
    }
  });

  it('confirm: ConfirmToken, no ApprovalId; a dry run\'s ConfirmToken validates and an ApprovalId is still accepted', async () => {
    const p = await published('confirm');
    for (const t of CONSENT_TOOLS) {
      expect(p.input(t), t).toContain('ConfirmToken');
      expect(p.input(t), t).not.toContain('ApprovalId');
      expect(p.output(t), t).toEqual(expect.arrayContaining(['ConfirmToken', 'ConfirmTokenExpiresAt', 'Plan']));
      expect(p.output(t), t).not.toContain('ApprovalId');
      expect(p.output(t), t).not.toContain('ApprovalUrl');
    }
    // The SDK client checks structuredContent against the published output schema.
    const dry = await p.s.call('delete_snapshots', { RegionId: DEMO.region, SnapshotIds: [DEMO.stagingSystemSnapshotId], DryRun: true, ApprovalId: 'apv-abcdefghijkl' });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    expect(typeof dry.structuredContent?.ConfirmToken).toBe('string');
  });

  it('off: neither, and the unpublished ones are still accepted', async () => {
    const p = await published('off');
    for (const t of CONSENT_TOOLS) {
      for (const name of ['ConfirmToken', 'ApprovalId']) expect(p.input(t), t).not.toContain(name);
      expect(p.output(t), t).toContain('Plan');
    }
    const dry = await p.s.call('delete_snapshots', { RegionId: DEMO.region, SnapshotIds: [DEMO.stagingSystemSnapshotId], DryRun: true, ConfirmToken: 'abc', ApprovalId: 'apv-abcdefghijkl' });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    expect(dry.structuredContent?.Plan).toBeDefined();
  });
});
