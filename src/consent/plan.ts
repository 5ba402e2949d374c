import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';

/** One request the plan would send, in the order it would send it. */
export interface PlanStep {
  /** The API action, e.g. `DeleteCustomImages`. */
  Action: string;
  /** What it acts on, e.g. `m-abc (web-2024-01)`. */
  Target: string;
  /** What it does, in words. */
  Detail: string;
}

/** What a consent tool would do, shown to a person before anything is sent. */
export interface Plan {
  Summary: string;
  Steps: PlanStep[];
  /** What cannot be undone once the plan runs; empty when everything can be. */
  Irreversible: string[];
}

export const planStepSchema = lazySchema(() => z.object({
  Action: z.string().describe('API action the step sends'),
  Target: z.string().describe('resource the step acts on'),
  Detail: z.string().describe('what the step does'),
}));

/** For tools' outputSchema: the plan in `structuredContent` (ConfirmationRequired, DryRun). */
export const planSchema = lazySchema(() => z.object({
  Summary: z.string().describe('the plan in one sentence'),
  Steps: z.array(planStepSchema()).describe('requests in the order they would be sent'),
  Irreversible: z.array(z.string()).describe('what cannot be undone once the plan runs'),
}) satisfies z.ZodType<Plan>);

/** One line of data: control characters (newlines included) become spaces, so a field cannot add lines. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/**
 * The plan as a person reads it: the summary, each step numbered, then what cannot be undone.
 * Used in the elicitation message and in the ConfirmationRequired text.
 */
export function planText(plan: Plan): string {
  const lines = [oneLine(plan.Summary), ''];
  plan.Steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${oneLine(s.Action)} ${oneLine(s.Target)}: ${oneLine(s.Detail)}`);
  });
  lines.push('');
  if (plan.Irreversible.length === 0) {
    lines.push('Nothing in this plan is irreversible.');
  } else {
    lines.push('Cannot be undone:');
    for (const item of plan.Irreversible) lines.push(`- ${oneLine(item)}`);
  }
  return lines.join('\n');
}
