import { Writable } from 'node:stream';
import { InMemoryTransport, type Client } from '@modelcontextprotocol/client';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import pino from 'pino';
import { openLedger } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { ConsentSigner, LoopbackPortal, MemoryApprovalStore } from '../../src/consent/index.js';
import { REDACT_PATHS } from '../../src/log.js';
import { buildServer, CallLifecycle } from '../../src/server.js';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { SdkSwasApi, type CredentialSource } from '../../src/swas/client.js';
import { retryPolicyFor } from '../../src/swas/retry.js';
import type { ToolContext } from '../../src/tools/common.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { listProfilesTool } from '../../src/tools/list-profiles.js';
import { openProfiles } from '../../src/profiles/index.js';
import { selectTools } from '../../src/tools/registry.js';
import type { WaitClock } from '../../src/wait.js';
import { call as callTool, isolatedEnv, SIM_CREDENTIALS, type Stack, type ToolResult } from './stack.js';
import { testClient } from './test-client.js';

/** One pino line as parsed JSON. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

export interface InProcess {
  client: Client;
  sim: Simulator;
  ctx: ToolContext;
  /** Stops the calls in flight as a shutdown does. */
  lifecycle: CallLifecycle;
  /** Every log line the server wrote so far, parsed. */
  logs: LogLine[];
  call(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

/**
 * The real server (every tool, the real SdkSwasApi) in this process, against a simulator on
 * loopback, driven by the SDK client over an in-memory transport. Faster than spawning the built
 * server, and the log is readable line by line.
 */
export async function startInProcess(opts: {
  sim?: SimulatorOptions; env?: Record<string, string>; credentials?: CredentialSource; allowDestructive?: boolean;
  /** One clock for the simulator and the server's waits (test/helpers/virtual-clock.ts): waits pass without being waited out. */
  clock?: WaitClock;
} = {}): Promise<InProcess> {
  const sim = await startSimulator({ imageReadyMs: 400, snapshotReadyMs: 400, ...(opts.clock ? { now: opts.clock.now } : {}), ...opts.sim });
  const config = loadConfig([], {
    SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_POLL_INTERVAL_MS: '50',
    SWAS_MCP_RETRY_BASE_DELAY_MS: '5', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'debug', ...opts.env,
  });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, sink);
  const credentials = opts.credentials ?? { kind: 'static', accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET };
  const api = new SdkSwasApi({ endpoint: config.endpoint, credentials, retry: retryPolicyFor(config), log, defaultRegionId: config.regionId });
  const ledger = await openLedger(config.auditLog);
  const ctx: ToolContext = { api, config, log, simulated: false, ledger, consent: ConsentSigner.random(), now: Date.now, ...(opts.clock ? { waitClock: opts.clock } : {}) };
  const tools = selectTools(ALL_TOOLS, { readOnly: false, allowDestructive: opts.allowDestructive ?? true });
  const lifecycle = new CallLifecycle();
  const server = buildServer(ctx, tools, lifecycle);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = testClient();
  await client.connect(clientSide);
  return {
    client, sim, ctx, lifecycle, logs,
    call: (name, args) => callTool(client, name, args),
    close: async () => { await client.close(); await server.close(); await ledger.close(); await sim.stop(); },
  };
}

/**
 * What `startStack` gives (a simulator and a client of the server pointed at it, configured by the
 * same environment and arguments), with the server composed in this process as src/index.ts does
 * and reached over the in-memory transport: tool behaviour without building or spawning anything.
 * Credentials are the environment's access key pair; `stderr()` is the server's log (JSON lines).
 * With `clock`, the simulator and the server's waits share it (test/helpers/virtual-clock.ts).
 */
export async function startToolStack(opts: { sim?: SimulatorOptions; env?: Record<string, string>; args?: string[]; clock?: WaitClock } = {}): Promise<Stack> {
  const sim = await startSimulator({ imageReadyMs: 400, snapshotReadyMs: 400, ...(opts.clock ? { now: opts.clock.now } : {}), ...opts.sim });
  const client = testClient();
  const server = await serveInProcess(client, isolatedEnv({
    ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_POLL_INTERVAL_MS: '100', ...opts.env,
  }), opts.args, opts.clock ? { waitClock: opts.clock } : {});
  return { client, sim, stderr: () => server.stderr(), close: async () => { await server.close(); await sim.stop(); } };
}

/**
 * What serveInProcess connects: the SDK client, or any client that connects to a transport and
 * closes (the v1 SDK's Client, for one).
 */
export type InProcessClient = Pick<Client, 'connect' | 'close'>;

/**
 * The server as src/index.ts composes it from `env` and `args` (tools, modes, ledger, consent), in
 * this process, connected to `client` (which may declare elicitation) over the in-memory transport.
 * `eras: true` serves the transport as stdio mode does (serveStdio: the client's opening picks the
 * era), so a 2026-07-28 client (pinned) works too; without it the server speaks the 2025 era only.
 * `waitClock` is the clock of the server's waits (test/helpers/virtual-clock.ts); real time without it.
 *
 * With SWAS_MCP_PROFILES in `env`, the profiles are opened as src/index.ts opens them, from the
 * profile files under `env.HOME`. @alicloud/credentials finds those files through os.homedir(),
 * which reads process.env.HOME: so for as long as this server is open, process.env.HOME (and
 * USERPROFILE) are `env`'s, and close() restores them. Open one such server at a time.
 */
export async function serveInProcess(client: InProcessClient, env: Record<string, string>, args: string[] = [], opts: { eras?: boolean; waitClock?: WaitClock } = {}): Promise<{ stderr(): string; close(): Promise<void> }> {
  const config = loadConfig(args, env);
  let stderr = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { stderr += chunk.toString(); done(); } });
  const log = pino({ level: config.logLevel, base: { name: 'swas-image-mcp' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, sink);
  for (const warning of config.warnings) log.warn(warning);
  const restoreHome = config.profiles ? useHomeOf(env) : () => undefined;
  let profiles: ReturnType<typeof openProfiles>;
  try {
    profiles = openProfiles(config, log, env);
  } catch (err) {
    restoreHome();
    throw err;
  }
  const credentials: CredentialSource = { kind: 'static', accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '', accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '' };
  const api = new SdkSwasApi({ endpoint: config.endpoint, credentials, retry: retryPolicyFor(config), log, defaultRegionId: config.regionId });
  const ledger = await openLedger(config.auditLog);
  const consent = config.consentKeyFile ? await ConsentSigner.fromKeyFile(config.consentKeyFile) : ConsentSigner.random();
  const approvals = new LoopbackPortal({ store: new MemoryApprovalStore(), log, now: Date.now });
  const ctx: ToolContext = {
    api: profiles ? profiles.default.api : api, config, log, simulated: false, ledger, consent, approvals, now: Date.now,
    ...(profiles ? { profiles } : {}), ...(opts.waitClock ? { waitClock: opts.waitClock } : {}),
  };
  // As src/index.ts: list_profiles exists only with several profiles.
  const known = profiles?.several ? [...ALL_TOOLS, listProfilesTool as unknown as (typeof ALL_TOOLS)[number]] : ALL_TOOLS;
  const tools = selectTools(known, { readOnly: config.readOnly, allowDestructive: config.allowDestructive, allowPurchase: config.allowPurchase, only: config.tools });
  const lifecycle = new CallLifecycle();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  let server: { close(): Promise<void> };
  if (opts.eras) {
    server = serveStdio(() => buildServer(ctx, tools, lifecycle), { transport: serverSide });
  } else {
    const single = buildServer(ctx, tools, lifecycle);
    await single.connect(serverSide);
    server = single;
  }
  await client.connect(clientSide);
  return {
    stderr: () => stderr,
    close: async () => {
      try {
        await client.close(); await server.close(); await approvals.close(); await ledger.close();
      } finally {
        restoreHome();
      }
    },
  };
}

/** Points process.env.HOME and USERPROFILE at `env`'s; returns what puts them back. */
function useHomeOf(env: Record<string, string>): () => void {
  const saved = { HOME: process.env.HOME, USERPROFILE: process.env.USERPROFILE };
  const set = (name: 'HOME' | 'USERPROFILE', value: string | undefined) => {
    if (value === undefined) delete process.env[name]; else process.env[name] = value;
  };
  set('HOME', env.HOME);
  set('USERPROFILE', env.USERPROFILE ?? env.HOME);
  return () => { set('HOME', saved.HOME); set('USERPROFILE', saved.USERPROFILE); };
}
