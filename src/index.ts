#!/usr/bin/env node
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { openLedger, type OpenedLedger } from './audit/index.js';
import { ConfigError, dropUnfilledPlaceholders, loadConfig, type Config } from './config.js';
import { IdleCollector } from './idle-gc.js';
import { ConsentSigner, HttpPortal, LoopbackPortal, MemoryApprovalStore, type ApprovalPortal, type ApprovalStore } from './consent/index.js';
import type { SharedRecord } from './record/index.js';
import { createLogger, silenceSecretDebugNamespaces } from './log.js';
import { checkToolFor } from './explain/catalog.js';
import { buildServer, CallLifecycle } from './server.js';
import { shutDown, shuttingDownError, type Serving, type ShutdownToolInfo } from './shutdown.js';
import { announceStarted } from './started.js';
import { StdinGuard } from './stdio-guard.js';
import { SdkSwasApi, type CredentialSource } from './swas/client.js';
import { diagnoseCredentials } from './swas/credential-diagnosis.js';
import { credentialSourceFor } from './swas/credentials.js';
import { retryPolicyFor } from './swas/retry.js';
import type { ToolContext } from './tools/common.js';
import { ALL_TOOLS } from './tools/index.js';
import { listProfilesTool } from './tools/list-profiles.js';
import { openProfiles, ProfileFileError, type ProfileSet } from './profiles/index.js';
import { selectTools, unknownToolNames } from './tools/registry.js';
import { VERSION } from './version.js';

/** The SDK's own limit for one stdin line; past it the line is skipped and answered, not fatal. */
const MAX_STDIN_LINE_BYTES = 10 * 1024 * 1024;
/** How long a SIGTERM waits for calls in flight to answer before the process exits. */
const STDIO_DRAIN_MS = 5_000;

function startupError(message: string): never {
  process.stderr.write(`swas-image-mcp: ${message}\n`);
  process.exit(2);
}

function readConfig(): Config {
  dropUnfilledPlaceholders(process.env);
  try {
    return loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) startupError(err.message);
    throw err;
  }
}

/** `swas-image-mcp passkey add`: enroll a passkey for the approval page, then exit. */
async function passkeyAdd(): Promise<void> {
  dropUnfilledPlaceholders(process.env);
  let config: Config;
  try { config = loadConfig([], process.env); } catch (err) { if (err instanceof ConfigError) startupError(err.message); throw err; }
  const log = createLogger(config.logLevel);
  const { FilePasskeys } = await import('./consent/passkeys.js');
  const { startEnrollment } = await import('./consent/enroll.js');
  const passkeys = new FilePasskeys(config.passkeyFile);
  const enrollment = await startEnrollment(passkeys, log);
  process.stderr.write(`Open this page in a browser on this machine to add a passkey (stored in ${config.passkeyFile}):\n\n  ${enrollment.url}\n\nWaiting… (Ctrl-C to stop)\n`);
  const name = await enrollment.done;
  process.stderr.write(`Passkey "${name}" added. The approval page will ask for it.\n`);
  await enrollment.close();
  log.flush();
}

/** `swas-image-mcp ledger export [--since ISO-TIME]`: the shared ledger as JSON lines on stdout, then exit. */
async function ledgerExport(args: string[]): Promise<void> {
  dropUnfilledPlaceholders(process.env);
  let config: Config;
  try { config = loadConfig([], process.env); } catch (err) { if (err instanceof ConfigError) startupError(err.message); throw err; }
  const since = args[0] === '--since' && args.length === 2 ? new Date(args[1]!) : undefined;
  if ((args.length > 0 && since === undefined) || (since && Number.isNaN(since.getTime()))) startupError('usage: swas-image-mcp ledger export [--since ISO-8601-TIME]');
  if (!config.databaseUrl) startupError('ledger export reads the PostgreSQL ledger: set SWAS_MCP_DATABASE_URL (a file ledger is already JSON lines).');
  const { openSharedRecord, exportLedger } = await import('./record/index.js');
  const record = await openSharedRecord(config.databaseUrl, createLogger(config.logLevel));
  try {
    const out = process.stdout;
    const n = await exportLedger(record.pool, (line) => (out.write(line) ? undefined : new Promise<void>((r) => out.once('drain', () => r()))), since ? { since } : {});
    process.stderr.write(`${n} ledger lines exported.\n`);
  } finally {
    await record.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'ledger') {
    if (argv[1] !== 'export') startupError('usage: swas-image-mcp ledger export [--since ISO-8601-TIME]');
    await ledgerExport(argv.slice(2));
    return;
  }
  if (argv[0] === 'passkey') {
    if (argv[1] !== 'add' || argv.length > 2) startupError('usage: swas-image-mcp passkey add');
    await passkeyAdd();
    return;
  }
  // Before anything loads the SDK: the debug package reads DEBUG once, on first load.
  const silenced = silenceSecretDebugNamespaces(process.env);
  const config = readConfig();
  // --help and --version never get here: the loader (src/boot.ts) answers them before this script loads.

  const log = createLogger(config.logLevel);
  for (const warning of config.warnings) log.warn(warning);
  if (silenced.length) log.info({ silenced }, 'debug namespaces that print credentials are off');

  const unknown = config.tools ? unknownToolNames(ALL_TOOLS, config.tools) : [];
  if (unknown.length) startupError(`SWAS_MCP_TOOLS / --tools names no tool called ${unknown.join(', ')}; the tools are ${ALL_TOOLS.map((t) => t.name).join(', ')}.`);
  let profiles: ProfileSet | undefined;
  try {
    profiles = openProfiles(config, log);
  } catch (err) {
    if (err instanceof ProfileFileError) startupError(`SWAS_MCP_PROFILES: ${err.message}`);
    throw err;
  }
  // list_profiles exists only with several profiles, so the one-account tools/list stays as it was.
  const known = profiles?.several ? [...ALL_TOOLS, listProfilesTool as unknown as (typeof ALL_TOOLS)[number]] : ALL_TOOLS;
  const tools = selectTools(known, { readOnly: config.readOnly, allowDestructive: config.allowDestructive, allowPurchase: config.allowPurchase, only: config.tools });

  // With a database the shared record replaces the ledger file (and the in-process approvals).
  let shared: SharedRecord | undefined;
  if (config.databaseUrl) {
    try {
      shared = await (await import('./record/index.js')).openSharedRecord(config.databaseUrl, log);
    } catch (err) {
      startupError(`SWAS_MCP_DATABASE_URL: ${(err as Error).message}`);
    }
  }
  let ledger: OpenedLedger;
  try {
    ledger = shared ? shared.ledger : await openLedger(config.auditLog);
  } catch (err) {
    // The ledger's message names the path, the reason and the way out (SWAS_MCP_AUDIT_LOG or off).
    startupError((err as Error).message);
  }
  let consent: ConsentSigner;
  try {
    consent = config.consentKeyFile ? await ConsentSigner.fromKeyFile(config.consentKeyFile) : ConsentSigner.random();
  } catch (err) {
    startupError(`SWAS_MCP_CONSENT_KEY_FILE: ${(err as Error).message}`);
  }
  if (shared) consent.shareUsedTokens(shared.usedTokens);

  let credentials: CredentialSource = credentialSourceFor(config);
  // Half-given credentials are named now, not only when the first call fails.
  if (!config.simulate) for (const problem of diagnoseCredentials(process.env)) log.warn({ problem }, 'credentials are incomplete');
  let stopSimulator: (() => Promise<void>) | undefined;
  if (config.simulate) {
    // Loaded only here, so that a normal start never pays for the simulator.
    const sim = await import('./simulator/index.js');
    const fixed = config.simImageReadyMs !== undefined || config.simSnapshotReadyMs !== undefined;
    const running = await sim.startSimulator({
      // Nothing reads the simulator's request log here: keep none (its counters are tiny).
      port: 0, seed: 'demo', requestLogLimit: 0,
      ...(fixed
        ? { profile: 'fixed', imageReadyMs: config.simImageReadyMs ?? 8_000, snapshotReadyMs: config.simSnapshotReadyMs ?? 5_000 }
        : { profile: 'realistic', timeScale: config.simTimeScale }),
    });
    config.endpoint = new URL(running.url);
    config.regionId ??= 'cn-hangzhou';
    credentials = { kind: 'static', accessKeyId: sim.SIM_ACCESS_KEY_ID, accessKeySecret: sim.SIM_ACCESS_KEY_SECRET };
    stopSimulator = () => running.stop();
    log.info({ endpoint: running.url, timing: fixed ? 'fixed' : `realistic, ${config.simTimeScale}x` }, 'simulate mode: embedded SWAS simulator with demo data');
  }

  const api = new SdkSwasApi({ endpoint: config.endpoint, credentials, retry: retryPolicyFor(config), log, defaultRegionId: config.regionId });
  const store: ApprovalStore = shared ? shared.approvals : new MemoryApprovalStore();
  const passkeys = config.consentMode === 'human' ? new (await import('./consent/passkeys.js')).FilePasskeys(config.passkeyFile) : undefined;
  let approvals: ApprovalPortal = new LoopbackPortal({ store, log, now: Date.now, ...(passkeys ? { passkeys } : {}) });
  const idle = new IdleCollector();
  const toolContext: ToolContext = {
    api: profiles ? profiles.default.api : api, config, log, simulated: config.simulate, ledger, consent, approvals, now: Date.now, idle,
    ...(profiles ? { profiles } : {}),
  };
  logConsentMode(config, log);
  if (passkeys && !(await passkeys.enrolled())) {
    log.info({ enroll: `"${process.execPath}" "${process.argv[1] ?? 'swas-image-mcp'}" passkey add` }, 'no passkey enrolled: clients without elicitation get HumanApprovalUnavailable; to enroll one, run the command in "enroll" (same environment)');
  }
  const lifecycle = new CallLifecycle();
  // Changes whose outcome a previous run never learnt are read back now, in the background. Not in
  // simulate mode: the simulator starts afresh, so its earlier resources are gone.
  // With the shared record, one replica at a time (those starting together would read back the same changes).
  if (!config.simulate && (ledger.path !== null || shared)) {
    const run = () => import('./tools/write-flow.js').then(({ reconcile }) => reconcile(toolContext));
    void (shared ? shared.exclusively(run) : run()).then(({ reconciled, unresolved }) => {
      if (reconciled || unresolved) log.info({ reconciled, unresolved }, 'audit ledger: changes of unknown outcome read back');
    }, (err: unknown) => log.error({ err: (err as Error).message }, 'audit ledger: start-up reconciliation failed'));
  }
  // What a call that could not answer before shutdown is told about its tool.
  const describeTool = (name: string): ShutdownToolInfo | undefined => {
    const tool = tools.find((t) => t.name === name);
    if (!tool) return undefined;
    const checkWith = tool.ramActions.map((a) => checkToolFor(a.replace(/^swas-open:/, ''))).find((t) => t !== undefined);
    return { kind: tool.kind, ...(checkWith ? { checkWith } : {}) };
  };
  let handle: Serving | undefined;

  let closing = false;
  const shutdown = async (reason: string, drain: boolean) => {
    if (closing) return;
    closing = true;
    log.info({ reason, inFlight: lifecycle.inFlight }, 'shutting down');
    // One path for both transports: calls in flight finish (HTTP: within its drain bound) or are
    // stopped and answer with what they know; one that still has not answered gets ServerShuttingDown.
    if (drain && handle) await shutDown(handle, lifecycle, STDIO_DRAIN_MS).catch(() => undefined);
    else await handle?.close().catch(() => undefined);
    await approvals.close().catch(() => undefined);
    await stopSimulator?.().catch(() => undefined);
    await ledger.close().catch(() => undefined);
    await shared?.close().catch(() => undefined);
    log.flush();
    process.exit(0);
  };
  // Log rotation: SIGHUP reopens the ledger's path (a change of the path's file is also noticed at the next write).
  process.on('SIGHUP', () => {
    ledger.reopen().then(
      () => log.info({ auditLog: ledger.path }, 'audit ledger reopened'),
      (err: unknown) => log.error({ err: (err as Error).message }, 'audit ledger could not be reopened; changes are refused until it can be written'),
    );
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM', true));
  process.on('SIGINT', () => void shutdown('SIGINT', true));
  // One bad call must never take the server down for the others.
  process.on('uncaughtException', (err) => log.error({ err: { name: err.name, stack: err.stack } }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err: err instanceof Error ? { name: err.name, stack: err.stack } : String(err) }, 'unhandled rejection'));

  if (config.http) {
    // Loaded only here: a stdio start never pays for the HTTP side. Stdin means nothing to a
    // service (it often starts closed), so only signals end it; the handle drains on close.
    const { startHttpServer } = await import('./http/serve.js');
    const { ResourceServer } = await import('./auth/resource-server.js');
    const { scopeFor, toolsForScopes } = await import('./auth/identity.js');
    const oauth = config.oauth ? new ResourceServer(config.oauth) : undefined;
    const login = config.oauth && config.approverLogin ? await approverLoginDeps(config.oauth, config.approverLogin, consent) : undefined;
    // With approver login the page must be on the public URL's origin: the issuer redirects there, the cookies live there.
    const pageOrigin = config.approvalBaseUrl?.origin ?? (login && config.oauth ? new URL(config.oauth.resource).origin : undefined);
    const portal = new HttpPortal(store, pageOrigin, () => httpBase, passkeys, login !== undefined);
    let httpBase = '';
    approvals = portal;
    toolContext.approvals = portal;
    const started = await startHttpServer({
      host: config.http.host, port: config.http.port, token: config.httpToken,
      ...(oauth ? { oauth, requiredScope: (name: string) => { const t = tools.find((x) => x.name === name); return t ? scopeFor(t) : undefined; } } : {}),
      allowedHosts: config.httpAllowedHosts, allowedOrigins: config.httpAllowedOrigins,
      maxBodyBytes: config.httpMaxBodyBytes, maxConcurrent: config.httpMaxConcurrent, shutdownMs: config.httpShutdownMs,
      log, lifecycle, describeTool,
      // With OAuth, each request's server is its user's: the tools its scopes allow, and its identity on every change.
      buildServer: (who) => (who ? buildServer({ ...toolContext, requestedBy: who }, toolsForScopes(tools, who.scopes), lifecycle) : buildServer(toolContext, tools, lifecycle)),
      approvalPage: { store, now: Date.now, ...(passkeys ? { passkeys } : {}), ...(pageOrigin ? { publicOrigin: pageOrigin } : {}), ...(login ? { login } : {}) },
    });
    httpBase = started.url.replace(/\/mcp$/, '').replace('//127.0.0.1', '//localhost');
    handle = started;
    idle.afterStart();
    announceStarted();
    return;
  }

  const stdin = new StdinGuard(process.stdout, log, MAX_STDIN_LINE_BYTES);
  process.stdin.pipe(stdin);
  process.stdin.on('end', () => void shutdown('stdin closed', false));
  process.stdin.on('close', () => void shutdown('stdin closed', false));
  process.stdout.on('error', () => void shutdown('stdout closed', false));
  const transport = new StdioServerTransport(stdin, process.stdout, { maxBufferSize: MAX_STDIN_LINE_BYTES * 2 });
  const stdio = serveStdio(() => buildServer(toolContext, tools, lifecycle), {
    transport,
    onerror: (err) => log.warn({ err: { name: err.name, message: err.message } }, 'stdio transport error'),
  });
  handle = {
    // stdio cannot turn calls away: the lifecycle stops those in flight at once.
    drain: async () => undefined,
    close: async () => {
      for (const c of lifecycle.open) {
        if (c.id === undefined) continue;
        await transport.send({ jsonrpc: '2.0', id: c.id, error: shuttingDownError(c.tool, c.tool ? describeTool(c.tool) : undefined) }).catch(() => undefined);
      }
      await stdio.close();
    },
  };
  // The first message out is the initialize answer (or an error to whatever came first).
  const send = transport.send.bind(transport);
  transport.send = async (...args) => { transport.send = send; try { await send(...args); } finally { announceStarted(); idle.afterStart(); } };
  // Whatever closes the transport, a server that can no longer hear must not linger.
  const closeTransport = transport.close.bind(transport);
  transport.close = async () => { await closeTransport(); void shutdown('transport closed', false); };
  log.info({ version: VERSION, tools: tools.map((t) => t.name), readOnly: config.readOnly, allowDestructive: config.allowDestructive, allowPurchase: config.allowPurchase, simulate: config.simulate, region: config.regionId, ...(profiles ? { profiles: profiles.names } : {}), auditLog: shared ? 'postgresql' : ledger.path ?? 'off' }, 'swas-image-mcp ready on stdio');
}

/** The approval page's login at the OAuth issuer; its cookies are signed with a key derived from the consent key. */
async function approverLoginDeps(oauth: NonNullable<Config['oauth']>, settings: NonNullable<Config['approverLogin']>, consent: ConsentSigner) {
  const [{ ApproverLogin }, { CookieSealer }] = await Promise.all([import('./consent/approver-login.js'), import('./consent/login-cookies.js')]);
  const authority = new ApproverLogin({
    oauth, clientId: settings.clientId,
    ...(settings.clientSecret !== undefined ? { clientSecret: settings.clientSecret } : {}),
  });
  return { authority, sealer: new CookieSealer(consent.derive('approver-cookies')), separate: settings.separate };
}

/** Start-up says which consent policy holds, and what a person needs for the human one. */
function logConsentMode(config: Config, log: ReturnType<typeof createLogger>): void {
  const what = {
    human: 'a change that needs consent happens only after a person approved it (form, approval page, or passkey)',
    confirm: 'a ConfirmToken round trip counts as consent: a second, deliberate call, not proof that a person agreed',
    off: 'no consent step; every change is still in the ledger',
  }[config.consentMode];
  log.info({ consent: config.consentMode }, `consent mode ${config.consentMode}: ${what}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`swas-image-mcp failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
