import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, SIM_ACCOUNT_ID, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { serveInProcess } from './in-process.js';
import { testClient } from './test-client.js';
import { isolatedEnv, type Stack } from './stack.js';

/** Two accounts: prod is the simulator's default account, staging has its own keys and state. */
export const PROD_ACCOUNT = SIM_ACCOUNT_ID;
export const STAGING_ACCOUNT = '2222222222222222';
export const STAGING_KEY = { accessKeyId: 'staging-access-key-id', accessKeySecret: 'staging-secret-e3b0c44298' };
/** The RamRoleArn profile's own key (it assumes a role in prod with it). */
export const ROLE_SOURCE_KEY = { accessKeyId: 'role-source-key-id', accessKeySecret: 'role-source-secret-9f86d081' };

/** Every secret a profile holds: none may appear in a log, result or ledger line. */
export const PROFILE_SECRETS = [SIM_ACCESS_KEY_SECRET, STAGING_KEY.accessKeySecret, ROLE_SOURCE_KEY.accessKeySecret];

/** The aliyun CLI's config.json with two AK profiles and one RamRoleArn profile. */
export function cliConfig(sim: Simulator, extra: Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    current: 'prod',
    profiles: [
      { name: 'prod', mode: 'AK', access_key_id: SIM_ACCESS_KEY_ID, access_key_secret: SIM_ACCESS_KEY_SECRET, region_id: 'cn-hangzhou' },
      { name: 'staging', mode: 'AK', access_key_id: STAGING_KEY.accessKeyId, access_key_secret: STAGING_KEY.accessKeySecret, region_id: 'cn-shanghai' },
      {
        name: 'role', mode: 'RamRoleArn', access_key_id: ROLE_SOURCE_KEY.accessKeyId, access_key_secret: ROLE_SOURCE_KEY.accessKeySecret,
        ram_role_arn: `acs:ram::${PROD_ACCOUNT}:role/deployer`, ram_session_name: 'swas-mcp', sts_endpoint: sim.endpoint, region_id: 'cn-hangzhou',
      },
      ...extra,
    ],
  };
}

/** A temporary HOME holding ~/.aliyun/config.json. */
export function homeWith(config: unknown): string {
  const home = mkdtempSync(join(tmpdir(), 'swas-profiles-home-'));
  mkdirSync(join(home, '.aliyun'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  return home;
}

export function profilesSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({
    seed: 'empty', imageReadyMs: 0, snapshotReadyMs: 0,
    accounts: [{ accountId: STAGING_ACCOUNT, keys: [STAGING_KEY] }, { accountId: '3333333333333333', keys: [ROLE_SOURCE_KEY] }],
    ...opts,
  });
}

/** The environment of a server with profiles, and no credentials but the profile files under `home`. */
function profilesEnv(sim: Simulator, home: string, env: Record<string, string>): Record<string, string> {
  return isolatedEnv({
    HOME: home, USERPROFILE: home,
    SWAS_ENDPOINT: sim.url, SWAS_MCP_STS_ENDPOINT: sim.url, SWAS_MCP_POLL_INTERVAL_MS: '100',
    // These tests drive consent with ConfirmTokens: a second call, not a person (docs/consent.md).
    SWAS_MCP_CONSENT: 'confirm',
    ...env,
  });
}

/**
 * The simulator and the server with profiles, and no credentials but the profile files under its
 * own home, composed in this process (serveInProcess): no build and no spawn. One at a time (it sets
 * process.env.HOME while open).
 */
export async function startProfilesToolStack(env: Record<string, string>, opts: { sim?: SimulatorOptions; extraProfiles?: Record<string, unknown>[] } = {}): Promise<Stack & { home: string }> {
  const sim = await profilesSimulator(opts.sim);
  const home = homeWith(cliConfig(sim, opts.extraProfiles));
  const client = testClient();
  const server = await serveInProcess(client, profilesEnv(sim, home, env)).catch(async (err: unknown) => { await sim.stop(); throw err; });
  return { client, sim, home, stderr: () => server.stderr(), close: async () => { await server.close(); await sim.stop(); } };
}
