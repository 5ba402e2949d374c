// Server-side verification of Alibaba Cloud request signatures: V3 (ACS3-HMAC-SHA256) and the
// legacy V2 RPC signature (HMAC-SHA1). Implemented from the published algorithm with node:crypto.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SimulatedApiError } from './errors.js';

export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export type QueryPairs = ReadonlyArray<readonly [string, string]>;
/** Header names in lower case; repeated headers carry several values. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface KeyPair {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests with this key must carry exactly this STS token. */
  securityToken?: string;
}

/** RFC 3986 percent-encoding of UTF-8 (unreserved: A-Z a-z 0-9 - _ . ~), upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const byKey = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** Keys sorted by code unit (stable for repeated keys), values percent-encoded. */
export function canonicalQueryString(query: QueryPairs): string {
  return [...query]
    .sort(byKey)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

function headerValue(headers: HeaderMap, name: string): string {
  const raw = headers[name];
  if (raw === undefined) return '';
  if (typeof raw === 'string') return raw.trim();
  return [...raw].map((v) => v.trim()).sort().join(',');
}

export interface CanonicalRequestInput {
  method: string;
  path: string;
  query: QueryPairs;
  headers: HeaderMap;
  /** Lower-case names, in any order; they are sorted here. */
  signedHeaders: readonly string[];
  hashedPayload: string;
}

export function canonicalRequestV3(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(input.headers, n)}\n`).join('');
  return [
    input.method.toUpperCase(),
    input.path,
    canonicalQueryString(input.query),
    canonicalHeaders,
    names.join(';'),
    input.hashedPayload,
  ].join('\n');
}

export interface V3Signature {
  canonicalRequest: string;
  /** Hex SHA-256 of the canonical request (the second line of the string to sign). */
  canonicalRequestHash: string;
  stringToSign: string;
  signature: string;
}

export function signV3(input: CanonicalRequestInput, accessKeySecret: string): V3Signature {
  const canonicalRequest = canonicalRequestV3(input);
  const canonicalRequestHash = sha256Hex(canonicalRequest);
  const stringToSign = `${V3_ALGORITHM}\n${canonicalRequestHash}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign).digest('hex');
  return { canonicalRequest, canonicalRequestHash, stringToSign, signature };
}

export interface ParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=a;b,Signature=hex`; null when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const m = /^\s*(\S+)\s+(.*)$/.exec(header);
  if (!m) return null;
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return null;
  return {
    algorithm: m[1]!,
    accessKeyId,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean),
    signature,
  };
}

/** Nonces a NonceStore holds at most by default (a few MB): a busy simulator's window is bounded. */
export const DEFAULT_NONCE_LIMIT = 50_000;

/**
 * Remembers nonces for twice the allowed clock skew, so a replay inside the window is caught; at
 * most `limit` of them, forgetting the oldest first. Without the cap a simulator under load (the
 * server's --simulate mode, the HTTP bench) held every nonce of the last 30 minutes: ~150 bytes a
 * request, 15,000 requests in a minute of load.
 */
export class NonceStore {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  constructor(readonly limit = DEFAULT_NONCE_LIMIT) {}

  get size(): number { return this.seen.size; }

  /** Returns false when the nonce was already used. */
  use(nonce: string, now: number): boolean {
    if (now - this.lastPrune > 60_000) {
      for (const [n, t] of this.seen) if (now - t > 2 * MAX_CLOCK_SKEW_MS) this.seen.delete(n);
      this.lastPrune = now;
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    // A Map iterates in insertion order: the first key is the oldest nonce.
    if (this.seen.size > this.limit) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }
}

export interface VerifyOptions {
  lookupKey: (accessKeyId: string) => KeyPair | undefined;
  now: number;
  /** Omit to skip the replay check (e.g. when checking fixed test vectors). */
  nonces?: NonceStore;
  /** Default true. */
  checkTimestamp?: boolean;
}

export interface V3Request {
  method: string;
  path: string;
  query: QueryPairs;
  /** Lower-case names. */
  headers: HeaderMap;
  body: Buffer;
}

export interface Verified {
  accessKeyId: string;
  signatureVersion: 'v3' | 'v2';
}

const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function parseTimestamp(value: string): number | null {
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? null : t;
}

function checkTime(value: string, name: string, opts: VerifyOptions): void {
  const t = parseTimestamp(value);
  if (t === null) {
    throw new SimulatedApiError(400, 'InvalidTimeStamp.Format', `Specified ${name} is not valid: expected yyyy-MM-ddTHH:mm:ssZ.`);
  }
  if (opts.checkTimestamp !== false && Math.abs(opts.now - t) > MAX_CLOCK_SKEW_MS) {
    throw new SimulatedApiError(400, 'InvalidTimeStamp.Expired', `Specified time stamp or date value is expired (more than 15 minutes from server time).`);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkStsToken(key: KeyPair, token: string | undefined): void {
  if (key.securityToken === undefined) {
    if (token !== undefined) {
      throw new SimulatedApiError(400, 'InvalidSecurityToken.Mismatch', 'A security token was sent with an AccessKey that is not an STS key.');
    }
    return;
  }
  if (token === undefined || token === '') {
    throw new SimulatedApiError(400, 'InvalidSecurityToken.Missing', 'The SecurityToken is required for this temporary AccessKey.');
  }
  if (!safeEqual(token, key.securityToken)) {
    throw new SimulatedApiError(400, 'InvalidSecurityToken.Mismatch', 'The SecurityToken does not match the AccessKey.');
  }
}

function lookup(opts: VerifyOptions, accessKeyId: string): KeyPair {
  const key = opts.lookupKey(accessKeyId);
  if (!key) throw new SimulatedApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  return key;
}

/** Verifies a V3-signed request; throws SimulatedApiError on any failure. */
export function verifyV3(req: V3Request, opts: VerifyOptions): Verified {
  const authHeader = headerValue(req.headers, 'authorization');
  if (!authHeader) throw new SimulatedApiError(400, 'MissingAuthorization', 'The Authorization header is missing.');
  const auth = parseAuthorization(authHeader);
  if (!auth) throw new SimulatedApiError(400, 'IncompleteSignature', 'The Authorization header is malformed.');
  if (auth.algorithm !== V3_ALGORITHM) {
    throw new SimulatedApiError(400, 'InvalidSignatureMethod', `The signature algorithm "${auth.algorithm}" is not supported; use ${V3_ALGORITHM}.`);
  }
  for (const name of REQUIRED_SIGNED) {
    if (!auth.signedHeaders.includes(name)) {
      throw new SimulatedApiError(400, 'IncompleteSignature', `The header "${name}" must be signed.`);
    }
    if (!headerValue(req.headers, name)) {
      throw new SimulatedApiError(400, 'IncompleteSignature', `The required header "${name}" is missing.`);
    }
  }
  const token = req.headers['x-acs-security-token'] === undefined ? undefined : headerValue(req.headers, 'x-acs-security-token');
  if (token !== undefined && !auth.signedHeaders.includes('x-acs-security-token')) {
    throw new SimulatedApiError(400, 'IncompleteSignature', 'The header "x-acs-security-token" must be signed.');
  }
  const stsKeyId = req.headers['x-acs-accesskey-id'];
  if (stsKeyId !== undefined && headerValue(req.headers, 'x-acs-accesskey-id') !== auth.accessKeyId) {
    throw new SimulatedApiError(400, 'SignatureDoesNotMatch', 'The x-acs-accesskey-id header does not match the Credential.');
  }

  const key = lookup(opts, auth.accessKeyId);
  checkStsToken(key, token);

  const claimedPayload = headerValue(req.headers, 'x-acs-content-sha256').toLowerCase();
  if (claimedPayload !== sha256Hex(req.body)) {
    throw new SimulatedApiError(400, 'InvalidContentSHA256', 'The x-acs-content-sha256 header does not match the SHA-256 of the request body.');
  }
  checkTime(headerValue(req.headers, 'x-acs-date'), 'x-acs-date', opts);

  const expected = signV3(
    { method: req.method, path: req.path, query: req.query, headers: req.headers, signedHeaders: auth.signedHeaders, hashedPayload: claimedPayload },
    key.accessKeySecret,
  );
  if (!safeEqual(expected.signature, auth.signature.toLowerCase())) {
    throw new SimulatedApiError(
      400,
      'SignatureDoesNotMatch',
      `The request signature does not conform to Aliyun standards. server string to sign is:${expected.stringToSign}`,
    );
  }
  if (opts.nonces && !opts.nonces.use(headerValue(req.headers, 'x-acs-signature-nonce'), opts.now)) {
    throw new SimulatedApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return { accessKeyId: auth.accessKeyId, signatureVersion: 'v3' };
}

/** V2 RPC string to sign: `POST&%2F&` + encode(sorted k=v pairs), excluding `Signature`. */
export function stringToSignV2(method: string, params: QueryPairs): string {
  const canonical = [...params]
    .filter(([k]) => k !== 'Signature')
    .sort(byKey)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function signV2(method: string, params: QueryPairs, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSignV2(method, params)).digest('base64');
}

/** Verifies a V2 request; `params` holds the query and any form body, including `Signature`. */
export function verifyV2(method: string, params: QueryPairs, opts: VerifyOptions): Verified {
  const get = (k: string): string | undefined => params.find(([n]) => n === k)?.[1];
  for (const name of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp']) {
    if (!get(name)) throw new SimulatedApiError(400, `Missing${name}`, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
  }
  if ((get('SignatureMethod') ?? 'HMAC-SHA1') !== 'HMAC-SHA1') {
    throw new SimulatedApiError(400, 'InvalidSignatureMethod', 'Only HMAC-SHA1 is supported for signature version 1.0.');
  }
  const accessKeyId = get('AccessKeyId')!;
  const key = lookup(opts, accessKeyId);
  checkStsToken(key, get('SecurityToken'));
  checkTime(get('Timestamp')!, 'Timestamp', opts);
  const expected = signV2(method, params, key.accessKeySecret);
  if (!safeEqual(expected, get('Signature')!)) {
    throw new SimulatedApiError(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSignV2(method, params)}`);
  }
  if (opts.nonces && !opts.nonces.use(`v2:${get('SignatureNonce')!}`, opts.now)) {
    throw new SimulatedApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return { accessKeyId, signatureVersion: 'v2' };
}
