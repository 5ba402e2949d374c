import type { ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { clientCanElicit, consentArgsDigest, planSchema, planText, type Plan } from '../../src/consent/index.js';

const plan: Plan = {
  Summary: 'Delete 2 custom images in cn-hangzhou.',
  Steps: [
    { Action: 'RemoveCustomImageShareAccount', Target: 'm-1', Detail: 'stops sharing with account 123' },
    { Action: 'DeleteCustomImages', Target: 'm-1, m-2', Detail: 'deletes both images' },
  ],
  Irreversible: ['The images m-1 and m-2 cannot be recovered.'],
};

describe('planText', () => {
  it('renders the summary, numbered steps and what cannot be undone', () => {
    expect(planText(plan)).toBe([
      'Delete 2 custom images in cn-hangzhou.',
      '',
      '1. RemoveCustomImageShareAccount m-1: stops sharing with account 123',
      '2. DeleteCustomImages m-1, m-2: deletes both images',
      '',
      'Cannot be undone:',
      '- The images m-1 and m-2 cannot be recovered.',
    ].join('\n'));
  });

  it('says so when nothing is irreversible', () => {
    expect(planText({ ...plan, Irreversible: [] })).toContain('Nothing in this plan is irreversible.');
  });

  it('keeps each field on its line: a name from the API cannot forge a step', () => {
    const text = planText({ ...plan, Steps: [{ Action: 'DeleteCustomImages', Target: 'm-1 (evil\n2. Nothing\u001b[2J)', Detail: 'x' }] });
    expect(text).toContain('1. DeleteCustomImages m-1 (evil 2. Nothing [2J): x');
    expect(text).not.toContain('\u001b');
  });

  it('planSchema accepts a plan and refuses a plan without Irreversible', () => {
    expect(planSchema().parse(plan)).toEqual(plan);
    expect(planSchema().safeParse({ Summary: 's', Steps: [] }).success).toBe(false);
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
