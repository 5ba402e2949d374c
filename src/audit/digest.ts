import { createHash } from 'node:crypto';
import { canonicalJson } from '../swas/token.js';

/**
 * SHA-256 hex of the canonical JSON of the normalised arguments (object keys sorted, undefined
 * members dropped): equal requests give equal digests whatever order their keys came in.
 */
export function argsDigest(normalised: unknown): string {
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}
