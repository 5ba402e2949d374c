import { describe, expect, it } from 'vitest';
import { SwasError, CancelledError, isRetryable, normaliseSdkError } from '../../src/swas/errors.js';
import { backoffDelay, DEFAULT_RETRY, withRetries, type RetryPolicy } from '../../src/swas/retry.js';
import { canonicalJson, deriveClientToken } from '../../src/swas/token.js';

const fast: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2_000, attemptTimeoutMs: 500 };
const apiErr = (code: string, httpStatus: number, retryAfterMs?: number) => new SwasError({ code, message: code, stage: 'api', httpStatus, retryAfterMs });
const identity = (e: unknown) => e as SwasError;

describe('which failures are retried', () => {
  it.each([
    ['Throttling', 400, true], ['Throttling.User', 400, true], ['Throttling.Api', 400, true], ['ServiceUnavailable', 503, true],
    ['InternalError', 500, true], ['SomethingElse', 502, true], ['InvalidParam.IllegalImageName', 400, false],
    ['IncorrectInstanceStatus', 403, false], ['InvalidInstanceId.NotFound', 404, false], ['Forbidden.RAM', 403, false],
  ] as const)('%s (HTTP %i) → %s', (code, status, expected) => {
    expect(isRetryable(apiErr(code, status))).toBe(expected);
  });
  it('retries network failures but never config or input ones', () => {
    expect(isRetryable(new SwasError({ code: 'ECONNRESET', message: '', stage: 'network' }))).toBe(true);
    expect(isRetryable(new SwasError({ code: 'CredentialsNotFound', message: '', stage: 'config' }))).toBe(false);
  });
});

describe('withRetries', () => {
  it('retries a throttled call until it succeeds, with the same work each time', async () => {
    let n = 0;
    const result = await withRetries(async () => { n++; if (n < 3) throw apiErr('Throttling.User', 400); return 'done'; }, identity, fast);
    expect(result).toBe('done');
    expect(n).toBe(3);
  });
  it('does not retry a 4xx business error', async () => {
    let n = 0;
    await expect(withRetries(async () => { n++; throw apiErr('ImageNameAlreadyExist', 400); }, identity, fast)).rejects.toMatchObject({ code: 'ImageNameAlreadyExist' });
    expect(n).toBe(1);
  });
  it('stops after maxAttempts', async () => {
    let n = 0;
    await expect(withRetries(async () => { n++; throw apiErr('InternalError', 500); }, identity, fast)).rejects.toMatchObject({ code: 'InternalError' });
    expect(n).toBe(4);
  });
  it('does not start a wait that would overrun the budget', async () => {
    let n = 0;
    const policy = { ...fast, budgetMs: 300 };
    await expect(withRetries(async () => { n++; throw apiErr('Throttling', 400, 10_000); }, identity, policy)).rejects.toMatchObject({ code: 'Throttling' });
    expect(n).toBe(1);
  });
  it('stops at once when cancelled during a back-off', async () => {
    const ctrl = new AbortController();
    let n = 0;
    const run = withRetries(async () => { n++; if (n === 1) setTimeout(() => ctrl.abort(), 20); throw apiErr('Throttling', 400, 5_000); }, identity, { ...fast, budgetMs: 60_000 }, ctrl.signal);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(n).toBe(1);
  });
  it('gives each attempt the per-call deadline', async () => {
    const seen: number[] = [];
    await withRetries(async (timeoutMs) => { seen.push(timeoutMs); if (seen.length < 2) throw apiErr('InternalError', 500); return 1; }, identity, fast);
    expect(seen[0]).toBe(fast.attemptTimeoutMs);
    expect(seen[1]).toBeLessThanOrEqual(fast.attemptTimeoutMs);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter between half and the whole ceiling, capped', () => {
    expect(backoffDelay(1, DEFAULT_RETRY, undefined, () => 0)).toBe(200);
    expect(backoffDelay(1, DEFAULT_RETRY, undefined, () => 1)).toBe(400);
    expect(backoffDelay(3, DEFAULT_RETRY, undefined, () => 1)).toBe(1600);
    expect(backoffDelay(10, DEFAULT_RETRY, undefined, () => 1)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
  it('never waits less than x-acs-retry-after asks', () => {
    expect(backoffDelay(1, DEFAULT_RETRY, 3_000, () => 0)).toBe(3_000);
  });
});

describe('derived ClientToken', () => {
  const params = { RegionId: 'cn-hangzhou', InstanceId: 'i1', ImageName: 'n', Tag: [{ Key: 'a', Value: 'b' }] };
  it('is the same for the same request, whatever the key order or undefined members', () => {
    const a = deriveClientToken('CreateCustomImage', params);
    const b = deriveClientToken('CreateCustomImage', { Tag: [{ Value: 'b', Key: 'a' }], ImageName: 'n', InstanceId: 'i1', RegionId: 'cn-hangzhou', Description: undefined });
    expect(a).toBe(b);
    expect(a).toMatch(/^mcp-[0-9a-f]{40}$/);
    expect(a.length).toBeLessThanOrEqual(64);
  });
  it('differs when anything that matters differs', () => {
    const a = deriveClientToken('CreateCustomImage', params);
    expect(deriveClientToken('CreateCustomImage', { ...params, ImageName: 'm' })).not.toBe(a);
    expect(deriveClientToken('CreateSnapshot', params)).not.toBe(a);
    expect(deriveClientToken('CreateCustomImage', { ...params, Description: '' })).not.toBe(a);
  });
  it('canonicalJson sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });
});

describe('normaliseSdkError', () => {
  it('builds the message from the response body, never from the SDK message with its URL', () => {
    const e = normaliseSdkError({
      name: 'ClientError', code: 'Forbidden.RAM', statusCode: 403, message: 'Forbidden.RAM: code: 403, x request id: R1 POST https://host/?a=b',
      data: { Code: 'Forbidden.RAM', Message: 'not authorized', RequestId: 'R1', Recommend: 'https://diag', AccessDeniedDetail: { AuthAction: 'swas-open:CreateCustomImage' } },
    }, 'swas.cn-hangzhou.aliyuncs.com');
    expect(e).toMatchObject({ code: 'Forbidden.RAM', message: 'not authorized', httpStatus: 403, requestId: 'R1', recommend: 'https://diag', stage: 'api', authAction: 'swas-open:CreateCustomImage' });
  });
  it('maps timeouts, resets and non-JSON answers to network errors', () => {
    expect(normaliseSdkError({ name: 'RequestTimeoutError', message: 'ReadTimeout(10). POST http://h/?x failed.' }, 'h')).toMatchObject({ code: 'RequestTimeout', stage: 'network' });
    expect(normaliseSdkError(Object.assign(new Error('socket hang up POST http://h/'), { code: 'ECONNRESET' }), 'h')).toMatchObject({ code: 'ECONNRESET', stage: 'network' });
    expect(normaliseSdkError(new SyntaxError('Unexpected token <'), 'h')).toMatchObject({ code: 'UnexpectedResponse', stage: 'network' });
    expect(normaliseSdkError(new Error('POST http://h/?x'), 'h').message).not.toContain('POST');
  });
});
