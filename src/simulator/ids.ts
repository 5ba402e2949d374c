// Identifier and timestamp formats as the live API shows them.
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 252 = 7 × 36: reject bytes above it so every character is equally likely.
  for (let i = 0; out.length < length; i++) {
    const b = i < bytes.length ? bytes[i]! : randomBytes(1)[0]!;
    if (b < 252) out += ALNUM[b % 36];
  }
  return out;
}

/** 32 lower-case hex characters. */
export const newInstanceId = (): string => randomBytes(16).toString('hex');
export const newDiskId = (): string => `d-${randomAlnum(20)}`;
export const newSnapshotId = (): string => `s-${randomAlnum(20)}`;
export const newImageId = (): string => `m-${randomAlnum(20)}`;
/** Upper-case UUID, like the gateway's RequestId. */
export const newRequestId = (): string => randomUUID().toUpperCase();

/** `yyyy-MM-ddTHH:mm:ssZ` (UTC, no milliseconds). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `yyyy-MM-dd HH:mm:ss.0`, the shape of ListCustomImageShareAccounts' SharedTime (UTC here). */
export function formatShareTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.0`;
}
