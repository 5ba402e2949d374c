import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseCredentials } from '../../src/swas/credential-diagnosis.js';
import { call, isolatedEnv, spawnServer, textOf } from '../helpers/stack.js';

/** Starts the built server with these credentials settings; lists instances once; returns what it said. */
async function firstCall(env: Record<string, string>, prepareHome?: (home: string) => void) {
  const full = isolatedEnv({ ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_ENDPOINT: 'http://127.0.0.1:9', SWAS_MCP_AUDIT_LOG: 'off', ...env });
  prepareHome?.(full.HOME!);
  const server = await spawnServer(full);
  try {
    const res = await call(server.client, 'list_instances', {});
    return { res, stderr: server.stderr() };
  } finally {
    await server.close();
  }
}

// Each case starts a server of its own, so they run at once.
describe.concurrent('credentials given by half are named, at start-up and in the first call', () => {
  it('only the AccessKey ID: the secret is named as missing, and the ID is not asked for again', async () => {
    const { res, stderr } = await firstCall({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'example-access-key-id' });
    expect(stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not');
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'CredentialsIncomplete', Stage: 'config' });
    expect(textOf(res)).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET is not');
    expect(textOf(res)).not.toContain('Set ALIBABA_CLOUD_ACCESS_KEY_ID and');
  });

  it('a profile that does not exist: named, with the ones that do', async () => {
    const { res, stderr } = await firstCall({ ALIBABA_CLOUD_PROFILE: 'nonexistent' }, (home) => {
      mkdirSync(join(home, '.aliyun'));
      writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify({ current: 'work', profiles: [{ name: 'work', mode: 'AK' }, { name: 'home', mode: 'AK' }] }));
    });
    // The log is JSON lines: its quotes are escaped.
    for (const said of [stderr.replaceAll('\\"', '"'), textOf(res)]) {
      expect(said).toContain('ALIBABA_CLOUD_PROFILE names the profile "nonexistent"');
      expect(said).toContain('"work", "home"');
    }
    expect(res.structuredContent!.Error.Code).toBe('CredentialsIncomplete');
  });

  it('the diagnosis never carries a secret, and has nothing to say about a complete pair', () => {
    const secret = 'very-secret-value-123';
    const said = diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret }, '/nonexistent-home');
    expect(said.join(' ')).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is not');
    expect(said.join(' ')).not.toContain(secret);
    expect(diagnoseCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' }, '/nonexistent-home')).toEqual([]);
    expect(diagnoseCredentials({ ALIBABA_CLOUD_PROFILE: 'x' }, '/nonexistent-home').join(' ')).toContain('neither file holds any profile');
  });
});
