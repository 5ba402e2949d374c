import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';

export const checkSchema = lazySchema(() => z.object({
  Name: z.string(),
  Outcome: z.enum(['passed', 'failed', 'skipped', 'warning']).describe('"warning": the request may go ahead, but tell the user the Detail.'),
  Detail: z.string(),
  Code: z.string().optional().describe('The API error code this check predicts when it fails.'),
}));
export type Check = z.infer<ReturnType<typeof checkSchema>>;

/** One line of a text answer per preflight check. */
export function checkLine(c: Check): string {
  const mark = c.Outcome === 'passed' ? 'ok' : c.Outcome === 'failed' ? 'FAILED' : c.Outcome === 'warning' ? 'WARNING' : 'skipped';
  return `- ${c.Name} [${mark}]: ${c.Detail}`;
}

/** Collects checks; `add(name, ok, detail, code)` with ok true, false or 'skipped'. */
export function checkList() {
  const checks: Check[] = [];
  const add = (Name: string, ok: boolean | 'skipped', Detail: string, Code?: string) => {
    checks.push({ Name, Outcome: ok === 'skipped' ? 'skipped' : ok ? 'passed' : 'failed', Detail, ...(ok === false && Code ? { Code } : {}) });
  };
  const firstFailure = () => {
    const failed = checks.find((c) => c.Outcome === 'failed');
    return failed ? { code: failed.Code ?? 'PreflightFailed', message: failed.Detail } : undefined;
  };
  return { checks, add, firstFailure };
}
