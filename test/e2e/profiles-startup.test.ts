// Profiles at start-up: the built server refuses (exit code 2) a profile it cannot use, naming it.
// What the tools do with profiles is in test/integration/profiles.test.ts.
import { describe, expect, it } from 'vitest';
import { isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';
import { homeWith } from '../helpers/profiles.js';
import { serveInProcess } from '../helpers/in-process.js';
import { runProcess } from '../helpers/process.js';
import { testClient } from '../helpers/test-client.js';

describe('profiles: start-up', () => {
  const envFor = (profiles: string, extra: Record<string, unknown>[] = [], env: Record<string, string> = {}) => {
    const home = homeWith({ profiles: [
      { name: 'prod', mode: 'AK', access_key_id: 'id-1', access_key_secret: 'never-shown-secret' },
      ...extra,
    ] });
    return isolatedEnv({ HOME: home, USERPROFILE: home, SWAS_MCP_PROFILES: profiles, SWAS_MCP_AUDIT_LOG: 'off', ...env });
  };
  const start = (env: Record<string, string>) => runProcess(process.execPath, [SERVER_ENTRY], { env });

  // One start for each way a start reads profiles: their settings (with the configuration), then their files.
  it('stops with exit code 2 naming a broken profile, or a policy for a profile not allowed', async () => {
    const [broken, policy] = await Promise.all([
      start(envFor('prod,half', [{ name: 'half', mode: 'AK', access_key_id: 'id-2' }])),
      start(envFor('prod', [], { SWAS_MCP_PROFILE_POLICY: 'staging:read' })),
    ]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/profile "half" .*\(mode AK\) has no access_key_secret/);
    expect(policy.status).toBe(2);
    expect(policy.stderr).toContain('SWAS_MCP_PROFILE_POLICY names the profile "staging", which SWAS_MCP_PROFILES does not allow');
    for (const r of [broken, policy]) expect(r.stderr).not.toContain('never-shown-secret');
  });

  // The same check of the files as the start above makes, on the server composed in this process.
  it('names an unknown profile, or one of an unsupported mode', async () => {
    const refusal = async (env: Record<string, string>) => {
      const err = await serveInProcess(testClient(), env).then(async (s) => { await s.close(); return undefined; }, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).not.toContain('never-shown-secret');
      return err!.message;
    };
    expect(await refusal(envFor('prod,customer'))).toMatch(/profile "customer" .*no such profile/);
    expect(await refusal(envFor('odd', [{ name: 'odd', mode: 'Telepathy', access_key_id: 'x' }]))).toMatch(/profile "odd" .*mode "Telepathy", which is not supported/);
  });
});
