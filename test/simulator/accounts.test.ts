// Several accounts in one simulator, driven by the official SDKs: each key acts on its own
// account, sharing crosses accounts as the real API does, and STS answers who is calling.
import Sts, * as StsModels from '@alicloud/sts20150401';
import * as M from '@alicloud/swas-open20200601';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_ACCOUNT_ID, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { sdkClient, sdkError } from './helpers.js';

const STAGING = '2222222222222222';
const STAGING_KEY = { accessKeyId: 'staging-key-id', accessKeySecret: 'staging-key-secret' };

type StsClient = InstanceType<typeof Sts.default>;
const StsCtor: typeof Sts.default = (Sts as unknown as { default?: typeof Sts.default }).default ?? (Sts as unknown as typeof Sts.default);

function stsClient(sim: Simulator, key: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): StsClient {
  const config = new $OpenApiUtil.Config({ ...key, endpoint: sim.endpoint, protocol: 'HTTP', regionId: 'cn-hangzhou', readTimeout: 5000, connectTimeout: 2000 });
  return new StsCtor(config);
}

let sim: Simulator | undefined;
afterEach(async () => { await sim?.stop(); sim = undefined; });

async function twoAccounts(): Promise<Simulator> {
  sim = await startSimulator({ seed: 'empty', imageReadyMs: 0, snapshotReadyMs: 0, accounts: [{ accountId: STAGING, keys: [STAGING_KEY] }] });
  return sim;
}

describe('simulator: several accounts', () => {
  it('keeps each account\'s servers apart and records which account each key acted on', async () => {
    const s = await twoAccounts();
    s.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    s.accounts.get(STAGING)!.addInstance({ regionId: 'cn-hangzhou', instanceName: 'staging-web' });
    const prod = await sdkClient(s).listInstances(new M.ListInstancesRequest({ regionId: 'cn-hangzhou' }));
    const staging = await sdkClient(s, STAGING_KEY).listInstances(new M.ListInstancesRequest({ regionId: 'cn-hangzhou' }));
    expect(prod.body?.instances?.map((i) => i.instanceName)).toEqual(['prod-web']);
    expect(staging.body?.instances?.map((i) => i.instanceName)).toEqual(['staging-web']);
    expect(s.stats.requests('ListInstances').map((r) => r.accountId)).toEqual([SIM_ACCOUNT_ID, STAGING]);
  });

  it('shows an image shared from one account to another as shared in (Share true), not among its own (Share false)', async () => {
    const s = await twoAccounts();
    const i = s.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    const img = s.state.addImage({ regionId: 'cn-hangzhou', name: 'golden', instanceId: i.instanceId });
    const prod = sdkClient(s);
    await prod.addCustomImageShareAccount(new M.AddCustomImageShareAccountRequest({ regionId: 'cn-hangzhou', imageId: img.imageId, account: [Number(STAGING)] }));
    const staging = sdkClient(s, STAGING_KEY);
    const shared = await staging.listCustomImages(new M.ListCustomImagesRequest({ regionId: 'cn-hangzhou', share: true }));
    expect(shared.body?.customImages?.map((m) => [m.imageId, String(m.userId), m.inShareUser])).toEqual([[img.imageId, SIM_ACCOUNT_ID, false]]);
    const own = await staging.listCustomImages(new M.ListCustomImagesRequest({ regionId: 'cn-hangzhou', share: false }));
    expect(own.body?.customImages ?? []).toEqual([]);
    // The owner still sees it as its own, shared with the other account.
    const owner = await prod.listCustomImages(new M.ListCustomImagesRequest({ regionId: 'cn-hangzhou', share: false }));
    expect(owner.body?.customImages?.[0]?.inShareUser).toBe(true);
    // Sharing with yourself is refused with your own account ID, whichever account you are.
    const self = await sdkError(staging.addCustomImageShareAccount(new M.AddCustomImageShareAccountRequest({ regionId: 'cn-hangzhou', imageId: img.imageId, account: [Number(STAGING)] })));
    expect(self.code).toBe('InvalidParameter');
  });

  it('answers GetCallerIdentity with the key\'s account, and AssumeRole with keys that act on the role\'s account', async () => {
    const s = await twoAccounts();
    const who = await stsClient(s, STAGING_KEY).getCallerIdentity();
    expect(who.body).toMatchObject({ accountId: STAGING, identityType: 'Account' });
    const assumed = await stsClient(s, STAGING_KEY).assumeRole(new StsModels.AssumeRoleRequest({ roleArn: `acs:ram::${SIM_ACCOUNT_ID}:role/deployer`, roleSessionName: 'mcp' }));
    const c = assumed.body!.credentials!;
    const asRole = await stsClient(s, { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken! }).getCallerIdentity();
    expect(asRole.body).toMatchObject({ accountId: SIM_ACCOUNT_ID, identityType: 'AssumedRoleUser' });
    const bad = await sdkError(stsClient(s, STAGING_KEY).assumeRole(new StsModels.AssumeRoleRequest({ roleArn: 'acs:ram::999:role/x', roleSessionName: 'mcp' })));
    expect(bad.code).toBe('EntityNotExist.Role');
  });
});
