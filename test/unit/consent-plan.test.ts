import type { ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { clientCanElicit, consentArgsDigest, consentQuestion, parametersText, planQuestion, planSchema, planText, type Plan } from '../../src/consent/index.js';

const plan: Plan = {
  Summary: 'Delete 2 custom images in cn-hangzhou for good: "web-1" (m-1) and "web-2" (m-2).',
  Steps: ['Stop sharing "web-1" (m-1) with account 123.', 'Delete "web-1" (m-1) and "web-2" (m-2).'],
  Irreversible: ['"web-1" (m-1) and "web-2" (m-2) cannot be recovered.'],
  Warnings: ['Afterwards 1 of 6 custom images are used in cn-hangzhou.'],
  Details: [
    { Action: 'RemoveCustomImageShareAccount', Target: 'm-1', Parameters: 'RegionId=cn-hangzhou, ImageId=m-1, Accounts=[123]' },
    { Action: 'DeleteCustomImages', Target: 'm-1, m-2', Parameters: 'RegionId=cn-hangzhou, ImageIds=[m-1, m-2]' },
  ],
};

describe('planText', () => {
  it('renders the summary, the steps in words, what cannot be undone, what to know, then the exact requests', () => {
    expect(planText(plan)).toBe([
      'Delete 2 custom images in cn-hangzhou for good: "web-1" (m-1) and "web-2" (m-2).',
      '',
      'Steps:',
      '1. Stop sharing "web-1" (m-1) with account 123.',
      '2. Delete "web-1" (m-1) and "web-2" (m-2).',
      '',
      'Cannot be undone:',
      '- "web-1" (m-1) and "web-2" (m-2) cannot be recovered.',
      '',
      'Before you agree:',
      '- Afterwards 1 of 6 custom images are used in cn-hangzhou.',
      '',
      'Details (the exact requests, in order):',
      '- RemoveCustomImageShareAccount m-1: RegionId=cn-hangzhou, ImageId=m-1, Accounts=[123]',
      '- DeleteCustomImages m-1, m-2: RegionId=cn-hangzhou, ImageIds=[m-1, m-2]',
    ].join('\n'));
  });

  it('says so when nothing is irreversible, and leaves out empty parts', () => {
    const text = planText({ ...plan, Irreversible: [], Warnings: [] });
    expect(text).toContain('Nothing in this plan is irreversible.');
    expect(text).not.toContain('Before you agree:');
  });

  it('keeps each field on its line: a name from the API cannot forge a step', () => {
    const text = planText({ ...plan, Steps: ['Delete "evil\n2. Nothing\u001b[2J" (m-1).'] });
    expect(text).toContain('1. Delete "evil 2. Nothing [2J" (m-1).');
    expect(text).not.toContain('\u001b');
  });

  it('the question to the person starts with what happens, not a tool name', () => {
    const q = planQuestion(plan);
    expect(q.split('\n')[0]).toBe(plan.Summary);
    expect(q).not.toMatch(/delete_custom_images|asks for your consent/);
    expect(consentQuestion('delete_custom_images', plan)).toBe(q);
  });

  it('planSchema accepts a plan and refuses one without Details', () => {
    expect(planSchema().parse(plan)).toEqual(plan);
    const { Details: _d, ...noDetails } = plan;
    expect(planSchema().safeParse(noDetails).success).toBe(false);
  });

  it('parametersText lists parameters as sent, arrays bracketed, undefined left out', () => {
    expect(parametersText({ RegionId: 'cn-hangzhou', ImageIds: ['m-1', 'm-2'], KeyPairName: undefined, ClientToken: 't' }))
      .toBe('RegionId=cn-hangzhou, ImageIds=[m-1, m-2], ClientToken=t');
  });
});

describe('clientCanElicit', () => {
  const ctx = (envelope?: Record<string, unknown>): ServerContext => ({ mcpReq: { envelope } }) as unknown as ServerContext;
  const caps = (c: unknown): Record<string, unknown> => ({ 'io.modelcontextprotocol/clientCapabilities': c });

  it('reads a 2026-07-28 request envelope, which wins over initialize-era capabilities', () => {
    expect(clientCanElicit(ctx(caps({ elicitation: { form: {} } })))).toBe(true);
    expect(clientCanElicit(ctx(caps({})), { elicitation: {} })).toBe(false);
    expect(clientCanElicit(ctx(caps({ elicitation: { url: {} } })))).toBe(false); // URL mode only: no form
    expect(clientCanElicit(ctx(caps({ elicitation: {} })))).toBe(true); // bare = form (spec)
  });

  it('falls back to the initialize-era capabilities, and to "no" without any', () => {
    expect(clientCanElicit(ctx(), { elicitation: { form: {} } })).toBe(true);
    expect(clientCanElicit(ctx(), {})).toBe(false);
    expect(clientCanElicit(ctx())).toBe(false);
  });
});

describe('consentArgsDigest', () => {
  it('ignores ConfirmToken, DryRun and the WaitFor* flags (how a call runs), and nothing else', () => {
    const args = { RegionId: 'cn-hangzhou', ImageIds: ['m-1'] };
    const d = consentArgsDigest(args);
    expect(consentArgsDigest({ ...args, DryRun: true, ConfirmToken: 'abc.def' })).toBe(d);
    // A plan agreed on a dry run still fits the real call that also waits for the result.
    expect(consentArgsDigest({ ...args, WaitForDeleted: true, WaitForRunning: true, WaitForAvailable: true, WaitForAccomplished: true })).toBe(d);
    expect(consentArgsDigest({ ...args, Unshare: true })).not.toBe(d);
    expect(consentArgsDigest({ ...args, ImageIds: ['m-2'] })).not.toBe(d);
  });
});
