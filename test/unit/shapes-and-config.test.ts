import { describe, expect, it } from 'vitest';
import { ConfigError, dropUnfilledPlaceholders, loadConfig } from '../../src/config.js';
import { IMAGE_NAME_PATTERN, isRegionId, regionHost, SNAPSHOT_NAME_PATTERN } from '../../src/swas/shapes.js';

describe('RegionId shape: nothing but a region can reach the host name', () => {
  it.each(['cn-hangzhou', 'ap-southeast-1', 'us-west-1', 'cn-shanghai-finance-1', 'me-east-1', 'eu-central-1'])('accepts %s', (r) => {
    expect(isRegionId(r)).toBe(true);
    expect(regionHost(r)).toBe(`swas.${r}.aliyuncs.com`);
  });
  it.each([
    'cn-hangzhou.evil.com', 'evil.com/cn-hangzhou', 'cn-hangzhou:443', 'cn-hangzhou/', 'cn-hangzhou%2eevil', '%2e%2e',
    'cn-hangzhou@evil', 'cn-hangzhоu' /* Cyrillic o */, 'ｃｎ-hangzhou' /* full-width */, 'CN-HANGZHOU', 'cn--hangzhou',
    'cn-hangzhou ', ' cn-hangzhou', 'cn-hangzhou\n', 'cn-hangzhou#x', 'cn-hangzhou?x=1', '', 'cn', '-cn-hangzhou', 'cn-', `cn-${'a'.repeat(60)}`,
  ])('refuses %j', (r) => {
    expect(isRegionId(r)).toBe(false);
    expect(() => regionHost(r)).toThrow();
  });
});

describe('name shapes of the API page', () => {
  it('ImageName: 2–128 of letters, digits, ":", "_", "-", starting with a letter or digit', () => {
    for (const ok of ['ab', '1a', 'my-image:v1_test', 'A'.repeat(128)]) expect(IMAGE_NAME_PATTERN.test(ok)).toBe(true);
    for (const bad of ['a', '-ab', '_ab', ':ab', 'a b', 'a.b', 'A'.repeat(129), 'ab/', 'ä-image']) expect(IMAGE_NAME_PATTERN.test(bad)).toBe(false);
  });
  it('SnapshotName: 2–50, starting with a letter, letters, digits, ":", "_", ".", "-"', () => {
    for (const ok of ['ab', 'snap.2026-11-28', 'S'.repeat(50)]) expect(SNAPSHOT_NAME_PATTERN.test(ok)).toBe(true);
    for (const bad of ['a', '1ab', 'S'.repeat(51), 'a b', '-ab']) expect(SNAPSHOT_NAME_PATTERN.test(bad)).toBe(false);
  });
});

describe('loadConfig', () => {
  it('reads environment and flags, flags first', () => {
    const c = loadConfig(['--region', 'ap-southeast-1', '--read-only'], {
      ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_ENDPOINT: 'http://127.0.0.1:8080', LOG_LEVEL: 'debug',
    });
    expect(c.regionId).toBe('ap-southeast-1');
    expect(c.readOnly).toBe(true);
    expect(c.endpoint?.host).toBe('127.0.0.1:8080');
    expect(c.endpoint?.protocol).toBe('http:');
    expect(c.logLevel).toBe('debug');
    expect(c.simulate).toBe(false);
    expect(c.waitTimeoutMs).toBe(50_000);
  });
  it('treats unfilled MCPB placeholders and empty strings as unset', () => {
    const c = loadConfig([], {
      ALIBABA_CLOUD_REGION_ID: '${user_config.region_id}', LOG_LEVEL: '${user_config.log_level}',
      SWAS_MCP_READ_ONLY: '${user_config.read_only}', SWAS_ENDPOINT: '',
    });
    expect(c.regionId).toBeUndefined();
    expect(c.logLevel).toBe('info');
    expect(c.readOnly).toBe(false);
    expect(c.endpoint).toBeUndefined();
  });
  it('accepts SWAS_MCP_READ_ONLY and SWAS_MCP_SIMULATE as booleans', () => {
    expect(loadConfig([], { SWAS_MCP_READ_ONLY: 'true', SWAS_MCP_SIMULATE: '1' })).toMatchObject({ readOnly: true, simulate: true });
    expect(() => loadConfig([], { SWAS_MCP_READ_ONLY: 'maybe' })).toThrow(/SWAS_MCP_READ_ONLY must be true or false/);
  });
  it.each([
    [['--region', 'cn-hangzhou.evil.com'], {}, /not a region ID/],
    [[], { SWAS_ENDPOINT: 'ftp://x' }, /http or https/],
    [[], { SWAS_ENDPOINT: 'https://user:pw@swas.cn-hangzhou.aliyuncs.com' }, /bare base URL/],
    [[], { SWAS_ENDPOINT: 'https://swas.cn-hangzhou.aliyuncs.com/path' }, /bare base URL/],
    [[], { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [[], { SWAS_MCP_WAIT_TIMEOUT_MS: '-5' }, /SWAS_MCP_WAIT_TIMEOUT_MS/],
    [[], { SWAS_SIM_IMAGE_READY_MS: 'soon' }, /SWAS_SIM_IMAGE_READY_MS/],
    [['--bogus'], {}, /Unknown option/],
  ] as const)('refuses bad settings %j %j', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
  it('takes an endpoint without a scheme as https', () => {
    expect(loadConfig(['--endpoint', 'swas-vpc.cn-hangzhou.aliyuncs.com'], {}).endpoint?.href).toBe('https://swas-vpc.cn-hangzhou.aliyuncs.com/');
  });
});

describe('dropUnfilledPlaceholders', () => {
  it('removes every variable still holding an MCPB placeholder, and nothing else', () => {
    const env: NodeJS.ProcessEnv = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: '${user_config.access_key_id}', ALIBABA_CLOUD_ACCESS_KEY_SECRET: ' ${user_config.access_key_secret}',
      ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', PATH: '/usr/bin', EMPTY: '',
    };
    expect(dropUnfilledPlaceholders(env).sort()).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
    expect(env).toEqual({ ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', PATH: '/usr/bin', EMPTY: '' });
  });
});
