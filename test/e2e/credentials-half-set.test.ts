import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseCredentials } from '../../src/swas/credential-diagnosis.js';
import { call, isolatedEnv, spawnServer, textOf } from '../helpers/stack.js';

describe('credentials given by half are named, at start-up and in the first call', () => {
  // The real credential chain of a started process, so a spawned server. One start holds both
  // half-given settings: each is named on its own, in the log and in the first call's error.
  it('only the AccessKey ID, and a profile that does not exist: the secret is named as missing (the ID not asked for again), the profile with the ones that do exist', async () => {
    const env = isolatedEnv({
      ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_ENDPOINT: 'http://127.0.0.1:9', SWAS_MCP_AUDIT_LOG: 'off',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'example-access-key-id', ALIBABA_CLOUD_PROFILE: 'nonexistent',
    });
    mkdirSync(join(env.HOME!, '.aliyun'));
    writeFileSync(join(env.HOME!, '.aliyun', 'config.json'), JSON.stringify({ current: 'work', profiles: [{ name: 'work', mode: 'AK' }, { name: 'home', mode: 'AK' }] }));
    const server = await spawnServer(env);
    let res: Awaited<ReturnType<typeof call>>;
    try {
      res = await call(server.client, 'list_instances', {});
    } finally {
      await server.close();
    }
    const stderr = server.stderr();
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'CredentialsIncomplete', Stage: 'config' });

    // The AccessKey ID without its secret.
    expect(stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not');
    expect(textOf(res)).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET is not');
    expect(textOf(res)).not.toContain('Set ALIBABA_CLOUD_ACCESS_KEY_ID and');

    // The profile that does not exist, named with those that do. The log is JSON lines: its quotes are escaped.
    for (const said of [stderr.replaceAll('\\"', '"'), textOf(res)]) {
      expect(said).toContain('ALIBABA_CLOUD_PROFILE names the profile "nonexistent"');
      expect(said).toContain('"work", "home"');
    }
  });

  it('the diagnosis never carries a secret, and has nothing to say about a complete pair', () => {
    const secret = 'very-secret-value-123';
    const said = diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret }, '/nonexistent-home');
    expect(said.join(' ')).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is not');
    expect(said.join(' ')).not.toContain(secret);
    expect(diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' }, '/nonexistent-home')).toEqual([]);
    expect(diagnoseCredentials({ ALIBABA_CLOUD_PROFILE: 'x' }, '/nonexistent-home').join(' ')).toContain('neither file holds any profile');
    // Each half-given setting is named on its own, whatever else is set.
    const home = '/nonexistent-home';
    expect(diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a' }, home)).toHaveLength(1);
    expect(diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b', ALIBABA_CLOUD_PROFILE: 'x' }, home)).toHaveLength(1);
  });
});
