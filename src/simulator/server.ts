// The HTTP front: parses the request, verifies its signature, applies injected faults, runs the
// action and writes Alibaba-style JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACTIONS } from './actions.js';
import { SimulatedApiError } from './errors.js';
import type { Fault, Faults } from './faults.js';
import { newRequestId } from './ids.js';
import { Params } from './params.js';
import { NonceStore, verifyV2, verifyV3, type KeyPair, type QueryPairs, type Verified } from './signature.js';
import type { SimState } from './state.js';
import type { LoggedRequest, Stats } from './stats.js';
import { STS_VERSION, type SimAccounts } from './accounts.js';

export const API_VERSION = '2020-06-01';
const MAX_BODY_BYTES = 1 << 20;

/** V2 common parameters: part of the signature, not of the business request. */
const V2_COMMON = new Set(['Action', 'Version', 'Format', 'Timestamp', 'SignatureNonce', 'SignatureMethod', 'SignatureVersion', 'SignatureType', 'AccessKeyId', 'Signature', 'SecurityToken']);
const REGIONAL_HOST_RE = /^swas\.([a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/i;

export interface HandlerDeps {
  state: SimState;
  faults: Faults;
  stats: Stats;
  keys: ReadonlyMap<string, KeyPair>;
  nonces: NonceStore;
  now: () => number;
  /** Several accounts: which state a key acts on, and STS. Without it every key acts on `state`. */
  accounts?: SimAccounts;
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimulatedApiError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, requestId: string, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'x-acs-request-id': requestId,
    ...headers,
  });
  res.end(json);
}

function errorBody(e: SimulatedApiError, requestId: string, host: string): Record<string, unknown> {
  return {
    RequestId: requestId,
    HostId: host,
    Code: e.code,
    Message: e.message,
    Recommend: `https://api.alibabacloud.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=SWAS-OPEN&requestId=${requestId}`,
  };
}

function faultError(f: Fault): SimulatedApiError {
  const headers: Record<string, string> = f.spec.retryAfterMs === undefined ? {} : { 'x-acs-retry-after': String(f.spec.retryAfterMs) };
  return new SimulatedApiError(f.spec.status ?? 500, f.spec.code ?? 'InternalError', f.spec.message ?? 'An error occurred while processing your request.', headers);
}

/** Carries a drop/hang decision out of the pipeline. */
class ConnectionFault extends Error {
  constructor(readonly kind: 'drop' | 'hang') { super(`connection ${kind}`); }
}

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const lookupKey = (id: string): KeyPair | undefined => deps.keys.get(id);

  async function pipeline(req: IncomingMessage, requestId: string, entry: LoggedRequest): Promise<Record<string, unknown>> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const body = await readBody(req);
    await sleep(deps.faults.latencyMs);

    const query: Array<[string, string]> = [...url.searchParams];
    let all: QueryPairs = query;
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (contentType.startsWith('application/x-www-form-urlencoded') && body.length > 0) {
      all = [...query, ...new URLSearchParams(body.toString('utf8'))];
    }
    // V2 carries its signature as a parameter (the SDK still adds x-acs-action headers to it).
    const isV3 = req.headers.authorization !== undefined || !all.some(([k]) => k === 'Signature');
    const action = (isV3 ? String(req.headers['x-acs-action'] ?? '') : all.find(([k]) => k === 'Action')?.[1]) ?? '';
    const business = new Map(all.filter(([k]) => isV3 || !V2_COMMON.has(k)));
    entry.action = action;
    // Never log secrets: signatures, tokens, and ResetSystem's LoginCredentials.Password.
    entry.params = Object.fromEntries([...business].filter(([k]) => k !== 'Signature' && k !== 'SecurityToken' && !/password/i.test(k)));

    if (req.method !== 'POST' && req.method !== 'GET') {
      throw new SimulatedApiError(405, 'UnsupportedHTTPMethod', `The HTTP method ${req.method ?? ''} is not supported.`);
    }
    if (url.pathname !== '/') throw new SimulatedApiError(404, 'InvalidApi.NotFound', `The path ${url.pathname} is not an API path.`);

    const verifyOpts = { lookupKey, now: deps.now(), nonces: deps.nonces };
    const verified: Verified = isV3
      ? verifyV3({ method: req.method, path: url.pathname, query, headers: req.headersDistinct, body }, verifyOpts)
      : verifyV2(req.method, all, verifyOpts);
    entry.accessKeyId = verified.accessKeyId;

    const version = isV3 ? String(req.headers['x-acs-version'] ?? '') : (all.find(([k]) => k === 'Version')?.[1] ?? '');
    if (deps.accounts) entry.accountId = deps.accounts.accountOf(verified.accessKeyId);
    if (deps.accounts && version === STS_VERSION) return deps.accounts.sts(action, verified.accessKeyId, business);
    if (version !== API_VERSION) throw new SimulatedApiError(400, 'InvalidVersion', `Specified parameter Version "${version}" is not valid; use ${API_VERSION}.`);
    const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!handler) throw new SimulatedApiError(404, 'InvalidAction.NotFound', `Specified api "${action}" is not found, please check your url and method.`);

    const hostRegion = REGIONAL_HOST_RE.exec(req.headers.host ?? '')?.[1];
    const regionId = business.get('RegionId');
    if (hostRegion && regionId && hostRegion.toLowerCase() !== regionId) {
      throw new SimulatedApiError(400, 'InvalidRegionId.Mismatch', `The RegionId "${regionId}" does not match the endpoint region "${hostRegion}".`);
    }

    const fault = deps.faults.decide(action, regionId ?? undefined);
    if (fault) {
      entry.faultId = fault.id;
      await sleep(fault.spec.latencyMs ?? 0);
      if (!fault.after) {
        if (fault.kind === 'error') throw faultError(fault);
        if (fault.kind === 'hang' || fault.kind === 'drop') throw new ConnectionFault(fault.kind);
      }
    }
    const accounts = deps.accounts;
    const state = accounts ? accounts.stateFor(verified.accessKeyId) : deps.state;
    const result = handler({
      params: new Params(business), state,
      ...(accounts ? { sharedFromOthers: (region: string) => accounts.sharedWith(state.accountId, region) } : {}),
    });
    if (fault?.after) {
      if (fault.kind === 'error') throw faultError(fault);
      if (fault.kind === 'hang' || fault.kind === 'drop') throw new ConnectionFault(fault.kind);
    }
    return result;
  }

  return (req, res) => {
    const requestId = newRequestId();
    const host = req.headers.host ?? '';
    const entry: LoggedRequest = { time: deps.now(), requestId, action: '', params: {}, accessKeyId: undefined, status: null, outcome: 'response' };
    pipeline(req, requestId, entry)
      .then((result) => {
        entry.status = 200;
        send(res, 200, requestId, { RequestId: requestId, ...result });
      })
      .catch((e: unknown) => {
        if (e instanceof ConnectionFault) {
          entry.outcome = e.kind;
          // A hanging request is simply never answered; stop() destroys its socket.
          if (e.kind === 'drop') req.socket.destroy();
          return;
        }
        const err = e instanceof SimulatedApiError ? e : new SimulatedApiError(500, 'InternalError', `An error occurred while processing your request: ${String(e)}`);
        entry.status = err.status;
        entry.code = err.code;
        send(res, err.status, requestId, errorBody(err, requestId, host), err.headers);
      })
      .finally(() => deps.stats.record(entry));
  };
}
