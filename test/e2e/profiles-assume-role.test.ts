// The RamRoleArn profile end to end: @alicloud/credentials' RAM role provider speaks only https to
// STS, so here the simulator serves https with a throw-away certificate the server process trusts
// (NODE_EXTRA_CA_CERTS), and the profile's sts_endpoint points at it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/process.js';
import { call, isolatedEnv, spawnServer, textOf, type ServerHandle } from '../helpers/stack.js';
import { cliConfig, homeWith, PROD_ACCOUNT, PROFILE_SECRETS, ROLE_SOURCE_KEY, profilesSimulator } from '../helpers/profiles.js';
import type { Simulator } from '../../src/simulator/index.js';

async function selfSignedLoopbackCert(): Promise<{ key: string; cert: string; certPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'swas-sim-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  // An EC key: made in milliseconds, where an RSA key costs a noticeable part of a second of CPU.
  const made = await runProcess('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (made.status !== 0) throw new Error(`openssl failed (${made.status}): ${made.stderr}`);
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

let sim: Simulator | undefined;
let server: ServerHandle | undefined;
afterEach(async () => { await server?.close(); await sim?.stop(); server = undefined; sim = undefined; });

describe('profiles: RamRoleArn', () => {
  it('assumes its role through the simulator\'s STS and signs the calls with the role\'s temporary key, in the role\'s account', async () => {
    const tls = await selfSignedLoopbackCert();
    sim = await profilesSimulator({ tls: { key: tls.key, cert: tls.cert } });
    sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'prod-web' });
    const home = homeWith(cliConfig(sim));
    server = await spawnServer(isolatedEnv({
      HOME: home, USERPROFILE: home, NODE_EXTRA_CA_CERTS: tls.certPath,
      SWAS_ENDPOINT: sim.url, SWAS_MCP_STS_ENDPOINT: sim.url, SWAS_MCP_PROFILES: 'role,staging', SWAS_MCP_AUDIT_LOG: 'off',
    }));
    const res = await call(server.client, 'list_instances', { Profile: 'role' });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Profile: 'role', AccountId: PROD_ACCOUNT });
    expect(res.structuredContent!.Instances.map((i: { InstanceName: string }) => i.InstanceName)).toEqual(['prod-web']);

    // AssumeRole was signed with the profile's own key, for the configured role, once.
    const assumed = sim.stats.requests('AssumeRole');
    expect(assumed.map((r) => [r.accessKeyId, r.params.RoleArn, r.params.RoleSessionName])).toEqual([[ROLE_SOURCE_KEY.accessKeyId, `acs:ram::${PROD_ACCOUNT}:role/deployer`, 'swas-mcp']]);
    // SWAS saw only the temporary key, acting on the role's account.
    const listed = sim.stats.requests('ListInstances');
    expect(listed.map((r) => r.accountId)).toEqual([PROD_ACCOUNT]);
    expect(listed[0]!.accessKeyId).toMatch(/^STS\./);
    const profiles = await call(server.client, 'list_profiles', {});
    expect(profiles.structuredContent!.Profiles[0]).toMatchObject({ Profile: 'role', Mode: 'RamRoleArn', AccountId: PROD_ACCOUNT });
    for (const secret of PROFILE_SECRETS) expect(server.stderr() + JSON.stringify([res, profiles])).not.toContain(secret);
  });
});
