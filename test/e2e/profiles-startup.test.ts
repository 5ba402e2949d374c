// Profiles at start-up: the built server refuses (exit code 2) a profile it cannot use, naming it.
// What the tools do with profiles is in test/integration/profiles.test.ts.
import { describe, expect, it } from 'vitest';
import { isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';
import { homeWith } from '../helpers/profiles.js';
import { runProcess } from '../helpers/process.js';

describe('profiles: start-up', () => {
  const start = (profiles: string, extra: Record<string, unknown>[] = [], env: Record<string, string> = {}) => {
    const home = homeWith({ profiles: [
      { name: 'prod', mode: 'AK', access_key_id: 'id-1', access_key_secret: 'never-shown-secret' },
      ...extra,
    ] });
    return runProcess(process.execPath, [SERVER_ENTRY], { env: isolatedEnv({ HOME: home, USERPROFILE: home, SWAS_MCP_PROFILES: profiles, SWAS_MCP_AUDIT_LOG: 'off', ...env }) });
  };

  it('stops with exit code 2 naming an unknown profile, a broken one, or an unsupported mode', async () => {
    // Four separate starts, at once.
    const [unknown, broken, odd, policy] = await Promise.all([
      start('prod,customer'),
      start('prod,half', [{ name: 'half', mode: 'AK', access_key_id: 'id-2' }]),
      start('odd', [{ name: 'odd', mode: 'Telepathy', access_key_id: 'x' }]),
      start('prod', [], { SWAS_MCP_PROFILE_POLICY: 'staging:read' }),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/profile "customer" .*no such profile/);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/profile "half" .*\(mode AK\) has no access_key_secret/);
    expect(odd.status).toBe(2);
    expect(odd.stderr).toMatch(/profile "odd" .*mode "Telepathy", which is not supported/);
    expect(policy.status).toBe(2);
    expect(policy.stderr).toContain('SWAS_MCP_PROFILE_POLICY names the profile "staging", which SWAS_MCP_PROFILES does not allow');
    for (const r of [unknown, broken, odd, policy]) expect(r.stderr).not.toContain('never-shown-secret');
  });
});
