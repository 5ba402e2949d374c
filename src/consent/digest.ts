import { argsDigest, requestArgs } from '../audit/digest.js';

/**
 * The `argsDigest` a consent binds: the same normalisation as the ledger's (`requestArgs`: no
 * `ConfirmToken`, `ApprovalId`, `DryRun` or `WaitFor*`), so the plan agreed on a dry run, or on a
 * ConfirmationRequired answer, is still the plan when the real call also waits.
 */
export function consentArgsDigest(normalised: Record<string, unknown>): string {
  return argsDigest(requestArgs(normalised));
}
