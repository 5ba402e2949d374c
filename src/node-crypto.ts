import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';

// node:crypto on first use, not at start. Loading it brings in about twenty of Node's internal
// modules and its OpenSSL binding: 2.2 MB of RSS in a bare Node process (0.7 MB its own memory,
// 1.5 MB of Node's code and data paged in), which a server that only answered initialize and
// tools/list never needs. Our modules import these instead of node:crypto's.
let crypto: typeof Crypto | undefined;
const load = (): typeof Crypto => (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto);

export const createHash = ((...args: Parameters<typeof Crypto.createHash>) => load().createHash(...args)) as typeof Crypto.createHash;
export const createHmac = ((...args: Parameters<typeof Crypto.createHmac>) => load().createHmac(...args)) as typeof Crypto.createHmac;
export const randomUUID = ((...args: Parameters<typeof Crypto.randomUUID>) => load().randomUUID(...args)) as typeof Crypto.randomUUID;
export const timingSafeEqual = ((...args: Parameters<typeof Crypto.timingSafeEqual>) => load().timingSafeEqual(...args)) as typeof Crypto.timingSafeEqual;
// Overloaded (with and without a callback): forwarded as given.
export const randomBytes = ((...args: [number]) => load().randomBytes(...args)) as typeof Crypto.randomBytes;
