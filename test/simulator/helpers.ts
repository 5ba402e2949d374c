// Shared test helpers: an official-SDK client pointed at the simulator, and a raw V3 signer.
import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import Swas from '@alicloud/swas-open20200601';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterEach } from 'vitest';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { EMPTY_SHA256, sha256Hex, signV3 } from '../../src/simulator/signature.js';

export interface ClientOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  regionId?: string;
  readTimeout?: number;
}

export type SwasClient = InstanceType<typeof Swas.default>;
// Plain Node ESM exposes the CJS class as `Swas.default`; vitest's interop already unwraps it.
const SwasCtor: typeof Swas.default =
  (Swas as unknown as { default?: typeof Swas.default }).default ?? (Swas as unknown as typeof Swas.default);

export function sdkClient(sim: Simulator, o: ClientOptions = {}): SwasClient {
  const config = new $OpenApiUtil.Config({
    accessKeyId: o.accessKeyId ?? SIM_ACCESS_KEY_ID,
    accessKeySecret: o.accessKeySecret ?? SIM_ACCESS_KEY_SECRET,
    endpoint: sim.endpoint,
    protocol: 'HTTP',
    regionId: o.regionId ?? 'cn-hangzhou',
    readTimeout: o.readTimeout ?? 5000,
    connectTimeout: 2000,
  });
  if (o.securityToken !== undefined) config.securityToken = o.securityToken;
  return new SwasCtor(config);
}

/** The error the SDK threw, for assertions on code / statusCode / retryAfter. */
export async function sdkError(p: Promise<unknown>): Promise<{ code: string; statusCode: number; name: string; retryAfter?: number; message: string; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; statusCode: number; name: string; retryAfter?: number; message: string; data?: Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

export const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface RawCall {
  action: string;
  params?: Record<string, string>;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  version?: string;
  date?: string;
  nonce?: string;
  body?: string;
  contentType?: string;
  /** Overrides the hashed payload header (to test a mismatch). */
  contentSha256?: string;
  /** Override the Host header value that is signed and sent. */
  host?: string;
  omitAuthorization?: boolean;
  extraHeaders?: Record<string, string>;
}

/** Sends a V3-signed request over node:http, the way the SDK would, and returns status, headers and JSON. */
export async function rawCall(sim: Simulator, c: RawCall): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  const query = Object.entries(c.params ?? {});
  const body = c.body ?? '';
  const headers: Record<string, string> = {
    host: c.host ?? sim.endpoint,
    'x-acs-action': c.action,
    'x-acs-version': c.version ?? '2020-06-01',
    'x-acs-date': c.date ?? timestamp(),
    'x-acs-signature-nonce': c.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': c.contentSha256 ?? (body ? sha256Hex(body) : EMPTY_SHA256),
    ...(c.contentType ? { 'content-type': c.contentType } : {}),
    ...(c.securityToken ? { 'x-acs-accesskey-id': c.accessKeyId ?? SIM_ACCESS_KEY_ID, 'x-acs-security-token': c.securityToken } : {}),
    ...(c.extraHeaders ?? {}),
  };
  const signedHeaders = Object.keys(headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'));
  const { signature } = signV3(
    { method: 'POST', path: '/', query, headers, signedHeaders, hashedPayload: headers['x-acs-content-sha256']! },
    c.accessKeySecret ?? SIM_ACCESS_KEY_SECRET,
  );
  if (!c.omitAuthorization) {
    headers.authorization = `ACS3-HMAC-SHA256 Credential=${c.accessKeyId ?? SIM_ACCESS_KEY_ID},SignedHeaders=${[...signedHeaders].sort().join(';')},Signature=${signature}`;
  }
  const qs = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sim.port, method: 'POST', path: `/${qs ? `?${qs}` : ''}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body || undefined);
  });
}

/** Starts simulators for a test file and stops every one of them after each test. */
export function simulatorPool(): (options?: Parameters<typeof startSimulator>[0]) => Promise<Simulator> {
  const sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });
  return async (options = {}) => {
    const sim = await startSimulator(options);
    sims.push(sim);
    return sim;
  };
}

/** An injected clock starting now (signatures are checked against it, so it stays near real time). */
export function clock(): { now: () => number; advance(ms: number): void } {
  let t = Date.now();
  return { now: () => t, advance: (ms) => void (t += ms) };
}
