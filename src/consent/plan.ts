import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';

/**
 * What a consent tool would do, written for the person who decides. The person-facing parts
 * (Summary, Steps, Irreversible, Warnings) are plain words with names beside IDs; the exact API
 * requests live only in Details. The same structure feeds the form's message, the approval page
 * and the refusal text.
 */
export interface Plan {
  /** What will happen, in one sentence of words (never a tool or action name). */
  Summary: string;
  /** What will be done, in words, in the order it will be done. */
  Steps: string[];
  /** What cannot be undone once the plan runs, naming what is lost; empty when everything can be. */
  Irreversible: string[];
  /** What else the person should know before agreeing: downtime, what is kept, what to do first. */
  Warnings: string[];
  /** The exact API requests, in the order they would be sent. */
  Details: PlanDetail[];
}

/** One API request of the plan, exactly. */
export interface PlanDetail {
  /** The API action, e.g. `DeleteCustomImages`. */
  Action: string;
  /** The IDs it acts on, e.g. `m-abc, m-def`. */
  Target: string;
  /** Its parameters as sent: `RegionId=cn-hangzhou, ImageIds=[m-abc, m-def], ClientToken=…`. */
  Parameters: string;
}

export const planDetailSchema = lazySchema(() => z.object({
  Action: z.string().describe('API action'),
  Target: z.string().describe('IDs it acts on'),
  Parameters: z.string().describe('parameters as sent'),
}));

/** For tools' outputSchema: the plan in `structuredContent` (ConfirmationRequired, DryRun). */
export const planSchema = lazySchema(() => z.object({
  Summary: z.string().describe('what will happen, in one sentence'),
  Steps: z.array(z.string()).describe('what will be done, in words, in order'),
  Irreversible: z.array(z.string()).describe('what cannot be undone once the plan runs'),
  Warnings: z.array(z.string()).describe('what to know first: downtime, what is kept, what to do before'),
  Details: z.array(planDetailSchema()).describe('the exact API requests, in order'),
}) satisfies z.ZodType<Plan>);

/** `Key=value, List=[a, b]` of a request's parameters, in the order given; undefined ones left out. */
export function parametersText(params: object): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** The Details entry of a planned request (`{ Action, Parameters }`, as `planRequest` makes it). */
export function planDetail(request: { Action: string; Parameters: object }, target: string): PlanDetail {
  return { Action: request.Action, Target: target, Parameters: parametersText(request.Parameters) };
}

/** One line of data: control characters (newlines included) become spaces, so a field cannot add lines. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/**
 * The plan as a person reads it: what will happen, the steps numbered, what cannot be undone,
 * what to know first, and last the exact requests. Used in the elicitation message, the
 * ConfirmationRequired text and a dry run's text.
 */
export function planText(plan: Plan): string {
  const lines = [oneLine(plan.Summary)];
  if (plan.Steps.length) {
    lines.push('', 'Steps:');
    plan.Steps.forEach((s, i) => lines.push(`${i + 1}. ${oneLine(s)}`));
  }
  lines.push('');
  if (plan.Irreversible.length === 0) {
    lines.push('Nothing in this plan is irreversible.');
  } else {
    lines.push('Cannot be undone:');
    for (const item of plan.Irreversible) lines.push(`- ${oneLine(item)}`);
  }
  if (plan.Warnings.length) {
    lines.push('', 'Before you agree:');
    for (const item of plan.Warnings) lines.push(`- ${oneLine(item)}`);
  }
  if (plan.Details.length) {
    lines.push('', 'Details (the exact requests, in order):');
    for (const d of plan.Details) lines.push(`- ${oneLine(d.Action)} ${oneLine(d.Target)}: ${oneLine(d.Parameters)}`);
  }
  return lines.join('\n');
}

/** The question put to the person: the plan, then how to answer. No tool name: the plan says what happens. */
export function planQuestion(plan: Plan): string {
  return `${planText(plan)}\n\nTick "Yes" to carry out exactly this plan. Decline or cancel, and nothing is sent.`;
}
