import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import Swas, * as swas from '@alicloud/swas-open20200601';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { percentEncode, sha256Hex } from '../../src/simulator/signature.js';
import { rawCall, sdkClient, sdkError, timestamp } from './helpers.js';

const STS = { accessKeyId: 'STS.sim-temp-key', accessKeySecret: 'sim-temp-secret', securityToken: 'sim-sts-token' };
let sim: Simulator;
const region = { regionId: DEMO.region };

beforeAll(async () => {
  sim = await startSimulator({ keys: [STS] });
});
afterAll(() => sim.stop());

describe('authentication through the official SDK', () => {
  test('the default key pair works and responses carry an upper-case UUID RequestId', async () => {
    const r = await sdkClient(sim).listRegions(new swas.ListRegionsRequest({}));
    expect(r.statusCode).toBe(200);
    expect(r.body!.requestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(r.headers!['x-acs-request-id']).toBe(r.body!.requestId);
  });

  test('a wrong secret is SignatureDoesNotMatch (400) with the full Alibaba error body', async () => {
    const e = await sdkError(sdkClient(sim, { accessKeySecret: 'wrong' }).listInstances(new swas.ListInstancesRequest(region)));
    expect(e.name).toBe('ClientError');
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe('SignatureDoesNotMatch');
    expect(Object.keys(e.data ?? {}).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(e.data?.HostId).toBe(sim.endpoint);
  });

  test('an unknown AccessKey is InvalidAccessKeyId.NotFound (404)', async () => {
    const e = await sdkError(sdkClient(sim, { accessKeyId: 'nobody' }).listInstances(new swas.ListInstancesRequest(region)));
    expect([e.statusCode, e.code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
  });

  test('STS: the right token passes, a wrong or missing one is rejected', async () => {
    const ok = await sdkClient(sim, STS).listInstances(new swas.ListInstancesRequest(region));
    expect(ok.body!.totalCount).toBe(4);
    expect(sim.stats.requests('ListInstances').at(-1)?.accessKeyId).toBe(STS.accessKeyId);
    const wrong = await sdkError(sdkClient(sim, { ...STS, securityToken: 'forged' }).listInstances(new swas.ListInstancesRequest(region)));
    expect([wrong.statusCode, wrong.code]).toEqual([400, 'InvalidSecurityToken.Mismatch']);
    const { securityToken: _t, ...noToken } = STS;
    const missing = await sdkError(sdkClient(sim, noToken).listInstances(new swas.ListInstancesRequest(region)));
    expect([missing.statusCode, missing.code]).toEqual([400, 'InvalidSecurityToken.Missing']);
    const tokenOnPermanentKey = await sdkError(sdkClient(sim, { securityToken: 'x' }).listInstances(new swas.ListInstancesRequest(region)));
    expect(tokenOnPermanentKey.code).toBe('InvalidSecurityToken.Mismatch');
  });

  test('the V2 (HMAC-SHA1) signature of the SDK is accepted too', async () => {
    const config = new $OpenApiUtil.Config({
      accessKeyId: SIM_ACCESS_KEY_ID,
      accessKeySecret: SIM_ACCESS_KEY_SECRET,
      endpoint: sim.endpoint,
      protocol: 'HTTP',
      regionId: DEMO.region,
      signatureAlgorithm: 'v2',
    });
    const Ctor = (Swas as unknown as { default?: typeof Swas.default }).default ?? (Swas as unknown as typeof Swas.default);
    const r = await new Ctor(config).listSnapshots(new swas.ListSnapshotsRequest({ ...region, instanceId: DEMO.blogServerId }));
    expect(r.body!.totalCount).toBe(2);
    const logged = sim.stats.requests('ListSnapshots').at(-1)!;
    expect(logged.params).toEqual({ RegionId: DEMO.region, InstanceId: DEMO.blogServerId });
  });
});

describe('gateway checks with a raw signer', () => {
  test('a date more than 15 minutes off is InvalidTimeStamp.Expired', async () => {
    const r = await rawCall(sim, { action: 'ListRegions', date: timestamp(Date.now() - 16 * 60_000) });
    expect([r.status, r.body!.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
  });

  test('a reused nonce is SignatureNonceUsed', async () => {
    const nonce = randomBytes(16).toString('hex');
    expect((await rawCall(sim, { action: 'ListRegions', nonce })).status).toBe(200);
    const again = await rawCall(sim, { action: 'ListRegions', nonce });
    expect([again.status, again.body!.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  test('missing Authorization is MissingAuthorization', async () => {
    const r = await rawCall(sim, { action: 'ListRegions', omitAuthorization: true });
    expect([r.status, r.body!.Code]).toEqual([400, 'MissingAuthorization']);
  });

  test('x-acs-content-sha256 must match the body', async () => {
    const r = await rawCall(sim, { action: 'ListRegions', body: 'RegionId=cn-hangzhou', contentType: 'application/x-www-form-urlencoded', contentSha256: sha256Hex('other') });
    expect([r.status, r.body!.Code]).toEqual([400, 'InvalidContentSHA256']);
  });

  test('parameters in an application/x-www-form-urlencoded body are accepted', async () => {
    const body = `RegionId=cn-hangzhou&InstanceIds=${encodeURIComponent(JSON.stringify([DEMO.shopServerId]))}`;
    const r = await rawCall(sim, { action: 'ListInstances', body, contentType: 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
    expect((r.body!.Instances as Array<{ InstanceName: string }>).map((i) => i.InstanceName)).toEqual(['shop-server']);
  });

  test('an unknown action is 404 InvalidAction.NotFound, and the server keeps serving', async () => {
    const r = await rawCall(sim, { action: 'RebootEverything', params: { RegionId: 'cn-hangzhou' } });
    expect([r.status, r.body!.Code]).toEqual([404, 'InvalidAction.NotFound']);
    expect(r.body!.RequestId).toBe(r.headers['x-acs-request-id']);
    expect((await rawCall(sim, { action: 'ListRegions' })).status).toBe(200);
  });

  test('an unknown action through the SDK generic callApi is InvalidAction.NotFound too', async () => {
    const client = sdkClient(sim);
    const params = new $OpenApiUtil.Params({
      action: 'DescribeNothing', version: '2020-06-01', protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const e = await sdkError(client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query: { RegionId: 'cn-hangzhou' } }), {} as Parameters<typeof client.callApi>[2]));
    expect([e.statusCode, e.code]).toEqual([404, 'InvalidAction.NotFound']);
  });

  test('a wrong API version is InvalidVersion', async () => {
    const r = await rawCall(sim, { action: 'ListRegions', version: '2017-01-01' });
    expect([r.status, r.body!.Code]).toEqual([400, 'InvalidVersion']);
  });

  test('a swas.<region>.aliyuncs.com Host must match RegionId; a loopback Host is not checked', async () => {
    const bad = await rawCall(sim, { action: 'ListInstances', host: 'swas.ap-southeast-1.aliyuncs.com', params: { RegionId: 'cn-hangzhou' } });
    expect([bad.status, bad.body!.Code]).toEqual([400, 'InvalidRegionId.Mismatch']);
    const good = await rawCall(sim, { action: 'ListInstances', host: 'swas.cn-hangzhou.aliyuncs.com', params: { RegionId: 'cn-hangzhou' } });
    expect(good.status).toBe(200);
    expect(good.body!.TotalCount).toBe(4);
  });

  test('a hand-built V2 request with the parameters in a form body (Terraform style)', async () => {
    const params: Array<[string, string]> = [
      ['AccessKeyId', SIM_ACCESS_KEY_ID], ['Action', 'ListInstanceStatus'], ['Format', 'JSON'], ['RegionId', 'ap-southeast-1'],
      ['SignatureMethod', 'HMAC-SHA1'], ['SignatureNonce', randomBytes(8).toString('hex')], ['SignatureVersion', '1.0'],
      ['Timestamp', timestamp()], ['Version', '2020-06-01'],
    ];
    const canonical = [...params].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
    const signature = createHmac('sha1', `${SIM_ACCESS_KEY_SECRET}&`).update(`POST&%2F&${percentEncode(canonical)}`).digest('base64');
    const body = new URLSearchParams([...params, ['Signature', signature]]).toString();
    const res = await new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: sim.port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (r) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(200);
    expect(res.json.InstanceStatuses).toEqual([{ InstanceId: DEMO.sgServerId, Status: 'Running' }]);
  });
});
