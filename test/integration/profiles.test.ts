// Profiles: the server (composed in this process as src/index.ts does) with a temporary HOME
// holding the aliyun CLI's config (two AK profiles and one RamRoleArn profile), against a simulator
// with several accounts. Start-up refusals of bad profiles are in test/e2e/profiles-startup.test.ts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SIM_ACCESS_KEY_ID } from '../../src/simulator/index.js';
import { call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';
import { PROD_ACCOUNT, PROFILE_SECRETS, ROLE_SOURCE_KEY, STAGING_ACCOUNT, STAGING_KEY, startProfilesToolStack } from '../helpers/profiles.js';

let stack: (Stack & { home: string }) | undefined;
afterEach(async () => { await stack?.close(); stack = undefined; });

const THREE = { SWAS_MCP_PROFILES: 'prod,staging,role' };

describe('profiles: several accounts from one server', () => {
  it('publishes Profile (an enum of the allowed names, "all" on list tools) and list_profiles', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    const { tools } = await stack.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.has('list_profiles')).toBe(true);
    const profileOf = (name: string) => (byName.get(name)!.inputSchema.properties as Record<string, { enum?: string[] }>).Profile;
    expect(profileOf('create_snapshot')!.enum).toEqual(['prod', 'staging', 'role']);
    expect(profileOf('list_instances')!.enum).toEqual(['prod', 'staging', 'role', 'all']);
    for (const t of tools) if (t.name !== 'list_profiles') expect(profileOf(t.name), t.name).toBeDefined();
  });

  it('signs each call with its own profile\'s key, names profile and account, and refuses an unknown profile with nothing sent', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    stack.sim.accounts.get(STAGING_ACCOUNT)!.addInstance({ regionId: 'cn-shanghai', instanceName: 'staging-web' });

    const prod = await call(stack.client, 'list_instances', {});
    expect(prod.structuredContent).toMatchObject({ RegionId: 'cn-hangzhou', Profile: 'prod', AccountId: PROD_ACCOUNT });
    expect(prod.structuredContent!.Instances.map((i: { InstanceName: string }) => i.InstanceName)).toEqual(['prod-web']);
    expect(textOf(prod)).toContain(`Profile: "prod" (account ${PROD_ACCOUNT})`);

    // staging's default region is its own region_id.
    const staging = await call(stack.client, 'list_instances', { Profile: 'staging' });
    expect(staging.structuredContent).toMatchObject({ RegionId: 'cn-shanghai', Profile: 'staging', AccountId: STAGING_ACCOUNT });
    expect(staging.structuredContent!.Instances.map((i: { InstanceName: string }) => i.InstanceName)).toEqual(['staging-web']);

    const signed = stack.sim.stats.requests('ListInstances').map((r) => [r.accessKeyId, r.accountId]);
    expect(signed).toEqual([[SIM_ACCESS_KEY_ID, PROD_ACCOUNT], [STAGING_KEY.accessKeyId, STAGING_ACCOUNT]]);

    const before = stack.sim.stats.requests().length;
    const unknown = await call(stack.client, 'list_instances', { Profile: 'customer' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/Profile must be one of "prod", "staging", "role", "all"/);
    // Our error shape, as with one account: the field, the rule, and nothing sent.
    expect(unknown.structuredContent?.Error).toMatchObject({ Code: 'InvalidParameter', Stage: 'input' });
    const badId = await call(stack.client, 'list_snapshots', { Profile: 'staging', InstanceId: 'not an id' });
    expect(badId.structuredContent?.Error).toMatchObject({ Code: 'InvalidParameter', Stage: 'input' });
    expect(textOf(badId)).toMatch(/InstanceId/);
    expect(stack.sim.stats.requests().length).toBe(before);
  });

  it('list_profiles answers name, mode, region, policy and account; the RamRoleArn profile never falls back to another source', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_PROFILE_POLICY: 'prod:read', SWAS_MCP_AUDIT_LOG: 'off' });
    const res = await call(stack.client, 'list_profiles', {});
    const rows = res.structuredContent!.Profiles as Record<string, unknown>[];
    expect(rows.slice(0, 2)).toEqual([
      { Profile: 'prod', Default: true, Mode: 'AK', RegionId: 'cn-hangzhou', Policy: 'read', AccountId: PROD_ACCOUNT },
      { Profile: 'staging', Default: false, Mode: 'AK', RegionId: 'cn-shanghai', Policy: 'write', AccountId: STAGING_ACCOUNT },
    ]);
    // @alicloud/credentials' RAM role provider always speaks https to STS and this simulator speaks
    // http, so AssumeRole fails here (profiles-assume-role.test.ts runs it over https): the call
    // fails naming the profile, and nothing falls back to another source.
    expect(rows[2]).toMatchObject({ Profile: 'role', Mode: 'RamRoleArn', Policy: 'write' });
    expect(rows[2]!.AccountId).toBeUndefined();
    const onRole = await call(stack.client, 'list_instances', { Profile: 'role' });
    expect(onRole.isError).toBe(true);
    expect(onRole.structuredContent!.Error.Code).toBe('CredentialsNotFound');
    expect(textOf(onRole)).toContain('profile "role"');
    // Nothing was signed with the role's source key, nor with any other profile's key for it.
    expect(stack.sim.stats.requests().filter((r) => r.accessKeyId === ROLE_SOURCE_KEY.accessKeyId)).toEqual([]);
    expect(stack.sim.stats.requests('ListInstances')).toEqual([]);
  });
});

describe('profiles: policy, fleet, sharing and the record', () => {
  it('prod:read refuses a delete on prod before anything is read; the same delete on staging goes through consent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swas-profiles-ledger-'));
    const ledger = join(dir, 'audit.jsonl');
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_PROFILE_POLICY: 'prod:read,staging:destructive', SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_AUDIT_LOG: ledger });
    const prodServer = stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    const prodSnap = stack.sim.state.createSnapshot(prodServer.disks[0]!.diskId, 'prod-snap', {});
    const stagingState = stack.sim.accounts.get(STAGING_ACCOUNT)!;
    const stagingServer = stagingState.addInstance({ regionId: 'cn-shanghai', instanceName: 'staging-web' });
    const stagingSnap = stagingState.createSnapshot(stagingServer.disks[0]!.diskId, 'staging-snap', {});

    const refused = await call(stack.client, 'delete_snapshots', { Profile: 'prod', RegionId: 'cn-hangzhou', SnapshotIds: [prodSnap.snapshotId] });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^ProfilePolicyDenied: /);
    expect(textOf(refused)).toContain('SWAS_MCP_PROFILE_POLICY prod:read');
    expect(refused.structuredContent?.Error?.Code).toBe('ProfilePolicyDenied');
    expect(stack.sim.stats.requests()).toEqual([]);
    expect(stack.sim.state.snapshot(prodSnap.snapshotId)).toBeDefined();

    const args = { Profile: 'staging', RegionId: 'cn-shanghai', SnapshotIds: [stagingSnap.snapshotId] };
    const asked = await call(stack.client, 'delete_snapshots', args);
    expect(asked.structuredContent?.Error?.Code).toBe('ConfirmationRequired');
    expect(asked.structuredContent!.Plan.Summary).toMatch(new RegExp(`^Profile "staging" \\(account ${STAGING_ACCOUNT}\\): Delete the snapshot "staging-snap"`));
    expect(stack.sim.stats.count('DeleteSnapshots')).toBe(0);
    const done = await call(stack.client, 'delete_snapshots', { ...args, ConfirmToken: asked.structuredContent!.ConfirmToken });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ Deleted: [stagingSnap.snapshotId], Profile: 'staging', AccountId: STAGING_ACCOUNT });
    expect(stack.sim.stats.requests('DeleteSnapshots').map((r) => r.accountId)).toEqual([STAGING_ACCOUNT]);
    expect(stagingState.snapshot(stagingSnap.snapshotId)).toBeUndefined();

    // The ledger and the log name the profile and the account; no profile's secret is anywhere.
    const lines = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.phase, l.profile, l.accountId])).toEqual([['intent', 'staging', STAGING_ACCOUNT], ['outcome', 'staging', STAGING_ACCOUNT]]);
    // pino writes asynchronously: wait (bounded) for the line the delete logs.
    const logLine = (msg: string) => stack!.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
    await vi.waitFor(() => expect(logLine('snapshots deleted')).toBeDefined(), { timeout: 5_000 });
    expect(logLine('snapshots deleted')).toMatchObject({ profile: 'staging', accountId: STAGING_ACCOUNT });
    expect(logLine('consent granted')).toMatchObject({ profile: 'staging', accountId: STAGING_ACCOUNT });
    const everything = [stack.stderr(), readFileSync(ledger, 'utf8'), JSON.stringify([refused, asked, done])].join('\n');
    for (const secret of PROFILE_SECRETS) expect(everything).not.toContain(secret);
  });

  it('Profile "all" with RegionId "all": region lists first, then every account × region in one wave; a failing account is reported', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    stack.sim.accounts.get(STAGING_ACCOUNT)!.addInstance({ regionId: 'cn-shanghai', instanceName: 'staging-web' });
    const res = await call(stack.client, 'list_instances', { Profile: 'all', RegionId: 'all' });
    expect(res.isError).toBeFalsy();
    const rows = (res.structuredContent!.Instances as { InstanceName: string; Profile: string; AccountId: string }[]).map((i) => [i.InstanceName, i.Profile, i.AccountId]);
    expect(rows).toEqual([['prod-web', 'prod', PROD_ACCOUNT], ['staging-web', 'staging', STAGING_ACCOUNT]]);
    expect(res.structuredContent!.Profiles).toEqual([
      { Profile: 'prod', AccountId: PROD_ACCOUNT, Count: 1 },
      { Profile: 'staging', AccountId: STAGING_ACCOUNT, Count: 1 },
      { Profile: 'role', Count: 0, ErrorCode: 'CredentialsNotFound' },
    ]);
    expect(textOf(res)).toContain('could not list "role" (CredentialsNotFound), the others are complete');
    const order = stack.sim.stats.requests().filter((r) => r.action === 'ListRegions' || r.action === 'ListInstances').map((r) => r.action);
    const regionsCount = stack.sim.state.regions().length;
    expect(order).toEqual([...Array(2).fill('ListRegions'), ...Array(2 * regionsCount).fill('ListInstances')]);
  });

  it('Profile "all" answers every list tool in the shape its published schema declares', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    const server = stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    stack.sim.state.addImage({ regionId: 'cn-hangzhou', name: 'golden', instanceId: server.instanceId });
    const calls: [string, Record<string, unknown>, string][] = [
      ['list_custom_images', { RegionId: 'cn-hangzhou' }, 'Images'],
      ['list_custom_images', { RegionId: 'all' }, 'Images'],
      ['list_snapshots', { RegionId: 'cn-hangzhou' }, 'Snapshots'],
      ['list_images', { RegionId: 'cn-hangzhou', ImageType: 'custom' }, 'Images'],
    ];
    for (const [tool, args, rows] of calls) {
      // The SDK client checks structuredContent against the published outputSchema.
      const res = await call(stack.client, tool, { ...args, Profile: 'all' });
      expect(res.isError, `${tool}: ${textOf(res)}`).toBeFalsy();
      expect(res.structuredContent!.Profiles.map((p: { Profile: string }) => p.Profile), tool).toEqual(['prod', 'staging', 'role']);
      for (const row of res.structuredContent![rows] ?? []) expect(row.Profile, tool).toBeDefined();
    }
  });

  it('shares an image from prod to staging named by profile; the plan shows both; staging lists it as shared in', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    const server = stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    const image = stack.sim.state.addImage({ regionId: 'cn-hangzhou', name: 'golden', instanceId: server.instanceId });
    stack.sim.accounts.get(STAGING_ACCOUNT)!.addInstance({ regionId: 'cn-hangzhou', instanceName: 'staging-web' });
    const args = { Profile: 'prod', RegionId: 'cn-hangzhou', ImageId: image.imageId, Operation: 'Share', Accounts: ['staging'] };
    const asked = await call(stack.client, 'share_custom_image', args);
    expect(asked.structuredContent?.Error?.Code, textOf(asked)).toBe('ConfirmationRequired');
    expect(asked.structuredContent!.Plan.Summary).toContain(`Account ${STAGING_ACCOUNT} is profile "staging".`);
    expect(JSON.stringify(asked.structuredContent!.Plan.Steps)).toContain(STAGING_ACCOUNT);
    const done = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: asked.structuredContent!.ConfirmToken });
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(textOf(done)).toContain(`${STAGING_ACCOUNT} is profile "staging"`);
    expect(stack.sim.stats.requests('AddCustomImageShareAccount').map((r) => [r.accountId, r.params['Account.1']])).toEqual([[PROD_ACCOUNT, STAGING_ACCOUNT]]);

    const seen = await call(stack.client, 'list_custom_images', { Profile: 'staging', RegionId: 'cn-hangzhou', IncludeSharedWithMe: true });
    expect(seen.structuredContent!.Images).toEqual([expect.objectContaining({ ImageId: image.imageId, Owner: 'shared-in', OwnerAccountId: PROD_ACCOUNT })]);
  });
});

describe('profiles: the one-account case and approvals', () => {
  it('with one profile, tools/list is byte-identical to a server without profiles, and calls still use the profile', async () => {
    const plain = await startToolStack({ env: { SWAS_MCP_AUDIT_LOG: 'off', SWAS_MCP_CONSENT: 'confirm' } }); // as startProfilesToolStack
    const plainTools = JSON.stringify(await plain.client.listTools());
    await plain.close();
    stack = await startProfilesToolStack({ SWAS_MCP_PROFILES: 'staging', SWAS_MCP_AUDIT_LOG: 'off' });
    const { tools } = await stack.client.listTools();
    expect(JSON.stringify({ tools })).toBe(plainTools);
    const res = await call(stack.client, 'list_instances', {});
    expect(res.structuredContent).not.toHaveProperty('Profile');
    expect(textOf(res)).toContain(`Profile: "staging" (account ${STAGING_ACCOUNT})`);
    expect(stack.sim.stats.requests('ListInstances').map((r) => r.accountId)).toEqual([STAGING_ACCOUNT]);
  });

  it('binds an approval to its profile: a ConfirmToken from staging does not carry out the same request on prod', async () => {
    stack = await startProfilesToolStack({ ...THREE, SWAS_MCP_AUDIT_LOG: 'off' });
    const image = stack.sim.state.addImage({ regionId: 'cn-hangzhou', name: 'golden', instanceId: stack.sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'a' }).instanceId });
    const stagingState = stack.sim.accounts.get(STAGING_ACCOUNT)!;
    // The same image ID in both accounts, so that only the profile differs.
    stagingState.addImage({ regionId: 'cn-hangzhou', name: 'golden', imageId: image.imageId, instanceId: stagingState.addInstance({ regionId: 'cn-hangzhou', instanceName: 'a' }).instanceId });
    const args = { RegionId: 'cn-hangzhou', ImageId: image.imageId, Operation: 'Share', Accounts: ['4444444444444444'] };
    const onStaging = await call(stack.client, 'share_custom_image', { ...args, Profile: 'staging' });
    const token = onStaging.structuredContent!.ConfirmToken as string;
    const onProd = await call(stack.client, 'share_custom_image', { ...args, Profile: 'prod', ConfirmToken: token });
    expect(onProd.structuredContent?.Error?.Code).toBe('ConfirmationRequired');
    expect(stack.sim.stats.count('AddCustomImageShareAccount')).toBe(0);
  });
});
