import { createHash } from '../node-crypto.js';
import { canonicalJson } from '../swas/token.js';

/**
 * SHA-256 hex of the canonical JSON of the normalised arguments (object keys sorted, undefined
 * members dropped): equal requests give equal digests whatever order their keys came in.
 */
export function argsDigest(normalised: unknown): string {
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

/** Arguments that say how to run a call or carry consent, not what the request does. */
const NOT_THE_REQUEST = new Set(['ConfirmToken', 'DryRun', 'ApprovalId']);

/**
 * The one normalisation of a tool's arguments for the ledger: without `ConfirmToken`, `DryRun`,
 * `ApprovalId` and the `WaitFor*` flags, so the same request has the same `argsDigest` whatever
 * tool sent it and however it was confirmed or waited on.
 */
export function requestArgs(args: unknown): unknown {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([k]) => !NOT_THE_REQUEST.has(k) && !k.startsWith('WaitFor')));
}
