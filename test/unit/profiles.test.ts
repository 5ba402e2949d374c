import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';
import { loadProfileSpecs, parseIni } from '../../src/profiles/files.js';
import { profiledInput, profiledOutput } from '../../src/profiles/schemas.js';
import { Profile, ProfileSet } from '../../src/profiles/set.js';
import { profileContext } from '../../src/profiles/calls.js';
import type { AuditEntry } from '../../src/audit/entry.js';
import type { LedgerHistory } from '../../src/audit/history.js';
import type { ToolContext } from '../../src/tools/common.js';
import { effectivePolicy, parseProfileSettings, serverCeiling } from '../../src/profiles/settings.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { listProfilesTool } from '../../src/tools/list-profiles.js';
import { inputRefusal } from '../../src/tools/input-refusal.js';
import { publishInput } from '../../src/tools/publish.js';
import { unpublishedInputs, unpublishedOutputs } from '../../src/tools/registry.js';
import type { ZodError } from 'zod';
import { providerSchemaProblems } from '../helpers/provider-schema.js';

function home(cli?: unknown, ini?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'swas-profiles-unit-'));
  if (cli !== undefined) {
    mkdirSync(join(dir, '.aliyun'));
    writeFileSync(join(dir, '.aliyun', 'config.json'), JSON.stringify(cli));
  }
  if (ini !== undefined) {
    mkdirSync(join(dir, '.alibabacloud'));
    writeFileSync(join(dir, '.alibabacloud', 'credentials'), ini);
  }
  return dir;
}

describe('profile settings', () => {
  it('reads the allow-list and policies; write is the default; names outside the list and bad levels are refused', () => {
    expect(parseProfileSettings('prod, staging', 'prod:read,staging:Destructive')).toEqual({ names: ['prod', 'staging'], policies: { prod: 'read', staging: 'destructive' } });
    expect(parseProfileSettings('prod', undefined)!.policies).toEqual({ prod: 'write' });
    expect(parseProfileSettings(undefined, undefined)).toBeUndefined();
    expect(() => parseProfileSettings('prod', 'prod:admin')).toThrow(/policy "admin"; the policies are read, write and destructive/);
    expect(() => parseProfileSettings('prod', 'dev:read')).toThrow(/names the profile "dev", which SWAS_MCP_PROFILES does not allow \(prod\)/);
    expect(() => parseProfileSettings('prod,all', undefined)).toThrow(/must not name a profile "all"/);
    expect(() => parseProfileSettings(undefined, 'prod:read')).toThrow(/without SWAS_MCP_PROFILES/);
    expect(() => loadConfig([], { SWAS_MCP_PROFILES: 'a b' })).toThrow(ConfigError);
  });

  it('never lets a profile exceed the server-wide switches', () => {
    expect(effectivePolicy('destructive', serverCeiling({ readOnly: false, allowDestructive: false }))).toBe('write');
    expect(effectivePolicy('write', serverCeiling({ readOnly: true, allowDestructive: true }))).toBe('read');
    expect(effectivePolicy('read', serverCeiling({ readOnly: false, allowDestructive: true }))).toBe('read');
  });

  it('takes SWAS_MCP_STS_ENDPOINT with the SWAS_ENDPOINT rules: plain http only on loopback', () => {
    expect(loadConfig([], { SWAS_MCP_STS_ENDPOINT: 'http://127.0.0.1:9000' }).stsEndpoint?.host).toBe('127.0.0.1:9000');
    expect(() => loadConfig([], { SWAS_MCP_STS_ENDPOINT: 'http://sts.example.com' })).toThrow(/SWAS_MCP_STS_ENDPOINT uses plain http: on the non-loopback host/);
  });
});

describe('profile files', () => {
  it('finds CLI profiles first, then the credentials ini file, with modes and regions', () => {
    const dir = home(
      { profiles: [
        { name: 'prod', mode: 'AK', access_key_id: 'a', access_key_secret: 'b', region_id: 'cn-hangzhou' },
        { name: 'chain', mode: 'ChainableRamRoleArn', source_profile: 'prod', ram_role_arn: 'acs:ram::1:role/x' },
        { name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: 'u', cloud_sso_account_id: '1', cloud_sso_access_config: 'c', access_token: 't' },
      ] },
      '[legacy]\ntype = access_key\naccess_key_id = x\naccess_key_secret = y\n',
    );
    expect(loadProfileSpecs(['prod', 'chain', 'sso', 'legacy'], {}, dir)).toEqual([
      { name: 'prod', source: 'cli', mode: 'AK', regionId: 'cn-hangzhou' },
      { name: 'chain', source: 'cli', mode: 'ChainableRamRoleArn' },
      { name: 'sso', source: 'cli', mode: 'CloudSSO' },
      { name: 'legacy', source: 'ini', mode: 'AK' },
    ]);
  });

  it('names what is wrong: no such profile, a missing secret, an unsupported mode, a broken source profile', () => {
    const dir = home({ profiles: [
      { name: 'half', mode: 'StsToken', access_key_id: 'a', access_key_secret: 'b' },
      { name: 'odd', mode: 'Magic' },
      { name: 'loop', mode: 'ChainableRamRoleArn', source_profile: 'loop2', ram_role_arn: 'r' },
      { name: 'loop2', mode: 'ChainableRamRoleArn', source_profile: 'loop', ram_role_arn: 'r' },
    ] }, '[bad]\ntype = rsa_key_pair\n');
    expect(() => loadProfileSpecs(['nobody'], {}, dir)).toThrow(/profile "nobody" .*no such profile/);
    expect(() => loadProfileSpecs(['half'], {}, dir)).toThrow(/profile "half" .*\(mode StsToken\) has no sts_token/);
    expect(() => loadProfileSpecs(['odd'], {}, dir)).toThrow(/mode "Magic", which is not supported/);
    expect(() => loadProfileSpecs(['loop'], {}, dir)).toThrow(/source_profile loop/);
    expect(() => loadProfileSpecs(['bad'], {}, dir)).toThrow(/type "rsa_key_pair", which is not supported/);
  });

  it('reads ini sections without letting a section named __proto__ reach the prototype', () => {
    const ini = parseIni('[__proto__]\ntype = access_key\n[a]\nk = "v"\n');
    expect(ini.a).toEqual({ k: 'v' });
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });
});

describe('published schemas with several profiles', () => {
  const log = pino({ level: 'silent' });
  const mk = (name: string) => new Profile({ name, source: 'cli', mode: 'AK' }, 'write', 'cn-hangzhou', { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1, attemptTimeoutMs: 1 }, log, requestTimeoutMs: 1000 });
  const set = new ProfileSet([mk('prod'), mk('staging')]);

  it('every tool\'s input and output, with Profile, stays inside what model providers accept', () => {
    for (const tool of [...ALL_TOOLS, listProfilesTool]) {
      const input = profiledInput(tool as never, set).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
      const output = profiledOutput(tool as never)['~standard'].jsonSchema.output({ target: 'draft-2020-12' });
      expect(providerSchemaProblems(input, `${tool.name}.inputSchema`)).toEqual([]);
      expect(providerSchemaProblems(output, `${tool.name}.outputSchema`)).toEqual([]);
    }
  });

  it('publishes only what one account publishes, plus Profile: no derived ClientToken, only the consent mode\'s own argument', async () => {
    const share = ALL_TOOLS.find((t) => t.name === 'share_custom_image')!;
    for (const mode of ['human', 'confirm', 'off'] as const) {
      const alone = publishInput(share.inputSchema, unpublishedInputs(share, mode)).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as { properties: object };
      const profiled = profiledInput(share, set, unpublishedInputs(share, mode)).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as { properties: object };
      expect(Object.keys(profiled.properties)).toEqual([...Object.keys(alone.properties), 'Profile']);
    }
    const humanOut = profiledOutput(share, unpublishedOutputs('human'))['~standard'].jsonSchema.output({ target: 'draft-2020-12' }) as { properties: object };
    expect(Object.keys(humanOut.properties)).toContain('ApprovalId');
    expect(Object.keys(humanOut.properties)).not.toContain('ConfirmToken');
    // Accepted when given, as without profiles: a script may carry its own token.
    const given = await profiledInput(share, set, unpublishedInputs(share, 'human')).parse({
      Profile: 'staging', RegionId: 'cn-hangzhou', ImageId: 'm-bp1abcdefghijk', Operation: 'Share', Ecs: true, ClientToken: 'my-token', ApprovalId: null,
    });
    expect(given.success && given.data).toMatchObject({ profile: 'staging', args: { ClientToken: 'my-token', Operation: 'Share' } });
  });

  it('a refused argument is named in our error shape, not the SDK\'s bare text', async () => {
    const share = ALL_TOOLS.find((t) => t.name === 'share_custom_image')!;
    const parsed = await profiledInput(share, set).parse({ Profile: 'prod', RegionId: 'cn-hangzhou', ImageId: 'not-an-image', Operation: 'Share', Ecs: true });
    expect(parsed.success).toBe(false);
    const ctx = { simulated: false } as ToolContext;
    const res = inputRefusal(share, (parsed as { error: ZodError }).error, {}, [], ctx);
    expect(res.structuredContent).toMatchObject({ Error: { Code: 'InvalidParameter', Stage: 'input' } });
    expect((res.content[0] as { text: string }).text).toMatch(/ImageId must be a custom image ID/);
  });

  it('refuses a Profile outside the allow-list, naming the allowed ones', async () => {
    const tool = ALL_TOOLS.find((t) => t.name === 'create_snapshot')!;
    const res = await profiledInput(tool, set).parse({ Profile: 'customer', RegionId: 'cn-hangzhou', InstanceId: 'i1' });
    expect(res.success ? undefined : res.error.issues[0]?.message).toBe('Profile must be one of "prod", "staging" (the profiles this server allows)');
    const all = await profiledInput(tool, set).parse({ Profile: 'all', RegionId: 'cn-hangzhou' });
    expect(all.success ? undefined : all.error.issues[0]?.path).toEqual(['Profile']);
  });
});

describe('a profile\'s tool context', () => {
  it('keeps the ledger history (a plan\'s basis: the last change recorded) and adds the profile to every line', async () => {
    const recorded = { marker: 'history' } as unknown as LedgerHistory;
    const appended: AuditEntry[] = [];
    const ctx = {
      log: pino({ level: 'silent' }), config: { regionId: 'cn-hangzhou' },
      ledger: { append: async (e: AuditEntry) => { appended.push(e); }, history: async () => recorded },
    } as unknown as ToolContext;
    const profile = { api: { withLog: () => ({}) }, regionId: 'cn-beijing' } as unknown as Profile;
    const scoped = profileContext(ctx, profile, { name: 'prod', accountId: '1234567890' });
    expect(await scoped.ledger.history?.()).toBe(recorded);
    await scoped.ledger.append({ tool: 'share_custom_image' } as AuditEntry);
    expect(appended).toEqual([{ tool: 'share_custom_image', profile: 'prod', accountId: '1234567890' }]);
  });
});
