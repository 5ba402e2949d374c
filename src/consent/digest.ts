import { argsDigest } from '../audit/digest.js';

/**
 * Arguments that say how to run a call, not what it does: a consent covers the call with or
 * without them. A plan agreed on a dry run is still the plan when the real call also waits.
 */
const NOT_BOUND = ['ConfirmToken', 'ApprovalId', 'DryRun', 'WaitForAvailable', 'WaitForAccomplished', 'WaitForDeleted', 'WaitForRunning'] as const;

/**
 * The `argsDigest` a consent binds: the normalised arguments without `ConfirmToken`, `DryRun` and the `WaitFor*` flags,
 * so the token a DryRun (or a ConfirmationRequired answer) hands out fits the real call.
 */
export function consentArgsDigest(normalised: Record<string, unknown>): string {
  const bound: Record<string, unknown> = { ...normalised };
  for (const k of NOT_BOUND) delete bound[k];
  return argsDigest(bound);
}
