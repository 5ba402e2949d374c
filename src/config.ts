import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_OPTIONS } from './cli-options.js';
import { isLoopbackHost } from './loopback.js';
import { isRegionId } from './swas/shapes.js';
import { parseProfileSettings, ProfileSettingError, type ProfileSettings } from './profiles/settings.js';
import { AuthSettingError, parseOAuthSettings, parseProfileUsers, type OAuthSettings, type ProfileUsers } from './auth/settings.js';

/** Everything the server reads from its environment and command line, validated once. */
export interface Config {
  /** Default region for tools whose RegionId is optional. */
  regionId?: string;
  /** Operator-set base URL replacing https://swas.<RegionId>.aliyuncs.com. Never taken from tool input. */
  endpoint?: URL;
  readOnly: boolean;
  simulate: boolean;
  logLevel: LogLevel;
  /** Upper bound of a WaitForAvailable / WaitForAccomplished poll, in ms. */
  waitTimeoutMs: number;
  /** First pause between status polls; later ones grow 1.5× up to 5 s. */
  pollIntervalMs: number;
  /** Deadline of one API request (connect + read), in ms. */
  requestTimeoutMs: number;
  /** Budget for all attempts of one API call, retries and back-off included, in ms. */
  retryBudgetMs: number;
  /**
   * Simulate mode only: fixed times a new image / snapshot takes, in ms. When neither is set the
   * simulator runs its realistic profile (minutes, sized by disk) sped up by simTimeScale.
   */
  simImageReadyMs?: number;
  simSnapshotReadyMs?: number;
  /** Simulate mode: the realistic timing profile runs this many times faster than real time. */
  simTimeScale: number;
  /** Also register the destructive tools (delete_custom_images, delete_snapshots, reset_system). */
  allowDestructive: boolean;
  /** Register only these tools (names are checked against the registry by the caller). */
  tools?: string[];
  /** Also register the tools that spend money (create_servers_from_image); read-only wins. */
  allowPurchase: boolean;
  /** Most one order may cost, in the plan's currency (SWAS_MCP_MAX_ORDER_COST); required outside human consent. */
  maxOrderCost?: number;
  /** Path of the audit ledger (JSON lines), or 'off'. */
  auditLog: string;
  /** A plain http: endpoint on a non-loopback host is allowed (credentials then travel in clear text). */
  allowInsecureEndpoint: boolean;
  /** First back-off pause between attempts of an API call, in ms. */
  retryBaseDelayMs: number;
  /** Ask the ECS instance metadata service for credentials without ALIBABA_CLOUD_ECS_METADATA. */
  ecsMetadata: boolean;
  /** Serve MCP over Streamable HTTP on this address instead of stdio. */
  http?: { host: string; port: number };
  /** Bearer token every HTTP request must carry. Secret: never logged, never echoed. */
  httpToken?: string;
  /** Host header values accepted in HTTP mode (besides the bind address itself). */
  httpAllowedHosts: string[];
  /** Origin header values accepted in HTTP mode. */
  httpAllowedOrigins: string[];
  httpMaxBodyBytes: number;
  httpMaxConcurrent: number;
  /** How long an HTTP shutdown waits for calls in flight, in ms. */
  httpShutdownMs: number;
  /** Key file shared by every HTTP replica to sign ConfirmTokens (required in HTTP mode). */
  consentKeyFile?: string;
  /** PostgreSQL connection URL of the shared record (ledger, approvals, used tokens). Secret: its password is never logged. */
  databaseUrl?: string;
  /** An existing snapshot older than this many hours makes create_custom_image warn that the image misses later changes. */
  snapshotMaxAgeHours: number;
  /**
   * How a change that needs consent is agreed to. human: only a person, through a channel the
   * model does not drive; confirm: a ConfirmToken round trip (a second, deliberate call, not proof
   * that a person agreed); off: no consent step (destructive tools still need --allow-destructive).
   */
  consentMode: ConsentMode;
  /** How long a call waits for a client to answer a consent question before ConsentTimedOut, in ms. */
  consentAnswerTimeoutMs: number;
  /** Where enrolled passkeys are kept (human mode's approval page without URL elicitation). */
  passkeyFile: string;
  /** Public base URL of the approval page in HTTP mode (behind a proxy); default: the bind address. */
  approvalBaseUrl?: URL;
  /** HTTP mode with OAuth: approvers log in on the approval page (SWAS_MCP_APPROVAL_CLIENT_ID and friends). */
  approverLogin?: ApproverLoginSettings;
  /** SWAS_MCP_PROFILES / SWAS_MCP_PROFILE_POLICY: the allowed CLI profiles and their policies. */
  profiles?: ProfileSettings;
  /** SWAS_MCP_STS_ENDPOINT: replaces https://sts.aliyuncs.com (same rules as SWAS_ENDPOINT). */
  stsEndpoint?: URL;
  /** SWAS_MCP_OAUTH_ISSUER, SWAS_MCP_PUBLIC_URL, SWAS_MCP_OAUTH_AUDIENCE: HTTP requests carry OAuth access tokens (docs/identity.md). */
  oauth?: OAuthSettings;
  /** SWAS_MCP_PROFILE_USERS: which users (token subjects) may use which profiles. */
  profileUsers?: ProfileUsers;
  /** Start-up warnings the entry point logs once the logger exists (e.g. an insecure endpoint). */
  warnings: string[];
}

export const CONSENT_MODES = ['human', 'confirm', 'off'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const USAGE = `swas-image-mcp: MCP stdio server for Alibaba Cloud SWAS custom images

Usage: swas-image-mcp [--region <id>] [--endpoint <url>] [--read-only] [--allow-destructive] [--allow-purchase]
                      [--tools <a,b>] [--simulate] [--http [<host>:]<port>] [--log-level <level>]

  --region <id>          default region (env ALIBABA_CLOUD_REGION_ID)
  --endpoint <url>       base URL replacing https://swas.<region>.aliyuncs.com (env SWAS_ENDPOINT);
                         plain http: only for loopback hosts unless SWAS_MCP_ALLOW_INSECURE_ENDPOINT=true
  --read-only            register only the read-only tools (env SWAS_MCP_READ_ONLY=true)
  --allow-destructive    also register delete_custom_images, delete_snapshots and reset_system
                         (env SWAS_MCP_ALLOW_DESTRUCTIVE=true); --read-only wins
  --allow-purchase       also register create_servers_from_image, which buys servers
                         (env SWAS_MCP_ALLOW_PURCHASE=true); --read-only wins
  --tools <a,b>          register only these tools (env SWAS_MCP_TOOLS)
  --simulate             use the embedded SWAS simulator with demo data instead of Alibaba Cloud
  --http [<host>:]<port> serve MCP over Streamable HTTP at /mcp (env SWAS_MCP_HTTP; host 127.0.0.1
                         by default; a non-loopback host needs SWAS_MCP_HTTP_TOKEN or _TOKEN_FILE)
  --log-level <lvl>      ${LOG_LEVELS.join(', ')} (env LOG_LEVEL, default info); logs go to stderr
  --help, --version

More settings (environment only):
  SWAS_MCP_AUDIT_LOG=<path>|off      audit ledger (default $XDG_STATE_HOME/swas-image-mcp/audit.jsonl,
                                     else ~/.local/state/swas-image-mcp/audit.jsonl;
                                     --simulate: audit-simulated.jsonl in the same place)
  SWAS_MCP_HTTP_TOKEN / SWAS_MCP_HTTP_TOKEN_FILE   bearer token HTTP requests must carry
  SWAS_MCP_HTTP_ALLOWED_HOSTS / SWAS_MCP_HTTP_ALLOWED_ORIGINS   comma lists for Host / Origin checks
  SWAS_MCP_HTTP_MAX_BODY_BYTES (default 1048576), SWAS_MCP_HTTP_MAX_CONCURRENT (default 32),
  SWAS_MCP_HTTP_SHUTDOWN_MS (default 10000), SWAS_MCP_CONSENT_KEY_FILE (required with --http)
  SWAS_MCP_CONSENT=human|confirm|off (default human): who agrees to a change (see docs/consent.md)
  SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS (default 180000), SWAS_MCP_PASSKEY_FILE, SWAS_MCP_APPROVAL_BASE_URL
  swas-image-mcp passkey add         enroll a passkey for the approval page (opens a loopback page)
  SWAS_MCP_WAIT_TIMEOUT_MS, SWAS_MCP_POLL_INTERVAL_MS, SWAS_MCP_REQUEST_TIMEOUT_MS,
  SWAS_MCP_RETRY_BUDGET_MS, SWAS_MCP_RETRY_BASE_DELAY_MS (default 400)
  SWAS_MCP_CONSENT=human|confirm|off   who approves plans (default human)
  SWAS_MCP_MAX_ORDER_COST=<amount>   most one purchase may cost (required unless SWAS_MCP_CONSENT=human)
  SWAS_MCP_ALLOW_INSECURE_ENDPOINT=true   allow a plain http: SWAS_ENDPOINT on a non-loopback host
  SWAS_MCP_ECS_METADATA=true         ask the ECS metadata service for a RAM role's credentials
  SWAS_SIM_TIME_SCALE (default 20), or fixed times: SWAS_SIM_IMAGE_READY_MS, SWAS_SIM_SNAPSHOT_READY_MS

Credentials come from @alicloud/credentials' sources, only those configured: ALIBABA_CLOUD_ACCESS_KEY_ID /
ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN), ALIBABA_CLOUD_PROFILE with
~/.alibabacloud/credentials or ~/.aliyun/config.json, OIDC (ALIBABA_CLOUD_ROLE_ARN,
ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), ALIBABA_CLOUD_CREDENTIALS_URI, or
an ECS RAM role (ALIBABA_CLOUD_ECS_METADATA=<role> or SWAS_MCP_ECS_METADATA=true).`;

/** An unfilled MCPB placeholder (`${user_config.x}`) or an empty string means "not set". */
function setting(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.startsWith('${')) return undefined;
  return trimmed;
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}".`);
}

function parseMs(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max}, got "${value}".`);
  }
  return n;
}

function optionalMs(name: string, value: string | undefined, min: number, max: number): number | undefined {
  return value === undefined ? undefined : parseMs(name, value, 0, min, max);
}

/** A URL as it may appear in a message: user name and password replaced, query and fragment dropped. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw.includes('://') ? raw : `https://${raw}`);
    if (url.username || url.password) { url.username = 'REDACTED'; url.password = ''; }
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    // Not a URL: strip anything that looks like userinfo before an @, and cap it.
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1REDACTED@').slice(0, 200);
  }
}

/** SWAS_MCP_DATABASE_URL: a postgres:// or postgresql:// URL with a host; echoed only redacted. */
function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try { url = new URL(raw); } catch { url = undefined; }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || url.hostname === '') {
    throw new ConfigError(`SWAS_MCP_DATABASE_URL must be a PostgreSQL URL such as postgresql://user@db.example.com:5432/swas, got "${redactUrl(raw)}".`);
  }
  return raw;
}

/**
 * Parses the operator's endpoint. The URL is never echoed with its user name or password, and a
 * plain http: URL is refused for a non-loopback host (the request would carry the AccessKey ID and
 * STS token in clear text) unless `allowInsecure`.
 */
export function parseEndpoint(raw: string, source: string, allowInsecure = false): URL {
  const shown = redactUrl(raw);
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError(`${source} must be a URL such as https://swas.cn-hangzhou.aliyuncs.com, got "${shown}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${source} must use http or https, got "${url.protocol}".`);
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigError(`${source} must be a bare base URL (scheme, host and optional port, no user name or password), got "${shown}".`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecure) {
    throw new ConfigError(`${source} uses plain http: on the non-loopback host ${url.hostname}, which would send the AccessKey ID and STS token in clear text. Use https:, or set SWAS_MCP_ALLOW_INSECURE_ENDPOINT=true to accept the risk.`);
  }
  return url;
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number ${unit}from ${min} to ${max}, got "${value.slice(0, 40)}".`);
  }
  return n;
}

/** A comma list; empty entries dropped. */
function parseList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** A money amount: digits with at most two decimals, above 0 (e.g. 500 or 1440.50). */
function optionalCost(value: string | undefined): { maxOrderCost?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(value) || !(n > 0)) {
    throw new ConfigError(`SWAS_MCP_MAX_ORDER_COST must be an amount above 0 in the plans' currency, with at most two decimals (e.g. 500 or 1440.50), got "${value.slice(0, 40)}".`);
  }
  return { maxOrderCost: n };
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function parseTools(value: string | undefined, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  const names = parseList(value);
  if (names.length === 0) throw new ConfigError(`${source} must name at least one tool, such as list_instances,create_custom_image.`);
  for (const n of names) {
    if (!TOOL_NAME.test(n)) throw new ConfigError(`${source} holds "${n.slice(0, 64)}", which is not a tool name (snake_case letters, digits and _).`);
  }
  return [...new Set(names)];
}

/** [HOST:]PORT, or [IPv6]:PORT. HOST defaults to 127.0.0.1. */
export function parseHttpAddress(raw: string, source: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${source} must be [HOST:]PORT such as 8080 or 127.0.0.1:8080 (port 0–65535), got "${raw.slice(0, 100)}".`);
  }
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}

/** The ledger's default place: $XDG_STATE_HOME/swas-image-mcp/audit.jsonl, else ~/.local/state/…. */
export function defaultAuditLog(env: NodeJS.ProcessEnv, simulate = false): string {
  // Simulated changes never mix with real ones: the simulator has its own default ledger.
  return join(stateDir(env), simulate ? 'audit-simulated.jsonl' : 'audit.jsonl');
}

/** $XDG_STATE_HOME/swas-image-mcp, else ~/.local/state/swas-image-mcp. */
function stateDir(env: NodeJS.ProcessEnv): string {
  const state = setting(env.XDG_STATE_HOME);
  const base = state && state.startsWith('/') ? state : join(env.HOME ?? homedir(), '.local', 'state');
  return join(base, 'swas-image-mcp');
}

/** The consent policy; an unknown word is a start-up error naming the three. */
export function parseConsentMode(value: string | undefined): ConsentMode {
  const v = (value ?? 'human').toLowerCase();
  if (!(CONSENT_MODES as readonly string[]).includes(v)) {
    throw new ConfigError(`SWAS_MCP_CONSENT must be one of ${CONSENT_MODES.join(', ')}, got "${v.slice(0, 40)}".`);
  }
  return v as ConsentMode;
}

/**
 * The HTTP bearer token: SWAS_MCP_HTTP_TOKEN, or the contents of SWAS_MCP_HTTP_TOKEN_FILE (read
 * now, trailing newline trimmed). Errors name the variable and never the token.
 */
function readHttpToken(env: NodeJS.ProcessEnv): string | undefined {
  const direct = setting(env.SWAS_MCP_HTTP_TOKEN);
  const file = setting(env.SWAS_MCP_HTTP_TOKEN_FILE);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError('Set only one of SWAS_MCP_HTTP_TOKEN and SWAS_MCP_HTTP_TOKEN_FILE.');
  }
  let token = direct;
  if (file !== undefined) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`SWAS_MCP_HTTP_TOKEN_FILE could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${file}`);
    }
    if (token === '') throw new ConfigError('SWAS_MCP_HTTP_TOKEN_FILE names an empty file.');
  }
  if (token === undefined) return undefined;
  if (token.length < 16 || token.length > 4096 || !/^[\x21-\x7E]+$/.test(token)) {
    throw new ConfigError(`${file !== undefined ? 'The token in SWAS_MCP_HTTP_TOKEN_FILE' : 'SWAS_MCP_HTTP_TOKEN'} must be 16 to 4096 printable ASCII characters without spaces (a random string such as the output of "openssl rand -hex 32").`);
  }
  return token;
}

/**
 * Removes variables that still hold an unfilled MCPB placeholder. The credential chain reads the
 * environment itself, and would otherwise sign with "${user_config.access_key_id}" as a key.
 */
export function dropUnfilledPlaceholders(env: NodeJS.ProcessEnv): string[] {
  const dropped = Object.keys(env).filter((k) => env[k]?.trim().startsWith('${'));
  for (const k of dropped) delete env[k];
  return dropped;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: CLI_OPTIONS,
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }

  const regionId = setting(values.region as string | undefined) ?? setting(env.ALIBABA_CLOUD_REGION_ID);
  if (regionId !== undefined && !isRegionId(regionId)) {
    throw new ConfigError(`The default region "${regionId}" is not a region ID such as cn-hangzhou.`);
  }

  const allowInsecureEndpoint = parseBoolean('SWAS_MCP_ALLOW_INSECURE_ENDPOINT', setting(env.SWAS_MCP_ALLOW_INSECURE_ENDPOINT));
  const endpointRaw = setting(values.endpoint as string | undefined) ?? setting(env.SWAS_ENDPOINT);
  const endpoint = endpointRaw === undefined ? undefined : parseEndpoint(endpointRaw, 'SWAS_ENDPOINT / --endpoint', allowInsecureEndpoint);
  const warnings: string[] = [];
  if (endpoint && endpoint.protocol === 'http:' && !isLoopbackHost(endpoint.hostname)) {
    warnings.push(`SWAS_ENDPOINT uses plain http: on ${endpoint.hostname}: the AccessKey ID, STS token and signed requests travel in clear text (allowed by SWAS_MCP_ALLOW_INSECURE_ENDPOINT).`);
  }

  const httpRaw = setting(values.http as string | undefined) ?? setting(env.SWAS_MCP_HTTP);
  const http = httpRaw === undefined ? undefined : parseHttpAddress(httpRaw, 'SWAS_MCP_HTTP / --http');
  const httpToken = readHttpToken(env);
  let oauth: OAuthSettings | undefined;
  try {
    oauth = parseOAuthSettings(
      { issuer: setting(env.SWAS_MCP_OAUTH_ISSUER), publicUrl: setting(env.SWAS_MCP_PUBLIC_URL), audience: setting(env.SWAS_MCP_OAUTH_AUDIENCE) },
      { http: http !== undefined, staticToken: httpToken !== undefined },
    );
  } catch (err) {
    if (err instanceof AuthSettingError) throw new ConfigError(err.message);
    throw err;
  }
  if (http && !isLoopbackHost(http.host) && httpToken === undefined && oauth === undefined) {
    throw new ConfigError(`SWAS_MCP_HTTP / --http binds the non-loopback host ${http.host}: set SWAS_MCP_OAUTH_ISSUER (one identity per user), or SWAS_MCP_HTTP_TOKEN / SWAS_MCP_HTTP_TOKEN_FILE (one operator), so that every request must carry a bearer token.`);
  }

  const consentKeyFile = setting(env.SWAS_MCP_CONSENT_KEY_FILE);
  if (http && consentKeyFile === undefined) {
    throw new ConfigError('SWAS_MCP_HTTP / --http needs SWAS_MCP_CONSENT_KEY_FILE: the key every replica signs ConfirmTokens with (for example: "openssl rand -hex 32 > key; chmod 600 key").');
  }

  const databaseUrl = parseDatabaseUrl(setting(env.SWAS_MCP_DATABASE_URL));

  const approvalRaw = setting(env.SWAS_MCP_APPROVAL_BASE_URL);
  let approvalBaseUrl: URL | undefined;
  if (approvalRaw !== undefined) {
    try { approvalBaseUrl = new URL(approvalRaw); } catch { approvalBaseUrl = undefined; }
    if (!approvalBaseUrl || !/^https?:$/.test(approvalBaseUrl.protocol) || approvalBaseUrl.search || approvalBaseUrl.hash || approvalBaseUrl.username) {
      throw new ConfigError(`SWAS_MCP_APPROVAL_BASE_URL must be an http(s) base URL such as https://mcp.example.com, got "${redactUrl(approvalRaw)}".`);
    }
  }

  const approverLogin = parseApproverLogin(env, oauth !== undefined);
  if (approverLogin && oauth && approvalBaseUrl && approvalBaseUrl.origin !== new URL(oauth.resource).origin) {
    throw new ConfigError(`SWAS_MCP_APPROVAL_BASE_URL (${approvalBaseUrl.origin}) must be the origin of SWAS_MCP_PUBLIC_URL when approvers log in: the issuer redirects to ${new URL(oauth.resource).origin}/approve/callback and the login cookies live there.`);
  }

  const auditRaw = setting(env.SWAS_MCP_AUDIT_LOG);
  const simulate = values.simulate === true || parseBoolean('SWAS_MCP_SIMULATE', setting(env.SWAS_MCP_SIMULATE));
  const auditLog = auditRaw === undefined ? defaultAuditLog(env, simulate) : auditRaw.toLowerCase() === 'off' ? 'off' : auditRaw;
  if (auditLog !== 'off' && (auditLog.includes('\0') || auditLog.length > 4096)) {
    throw new ConfigError('SWAS_MCP_AUDIT_LOG must be a file path or "off".');
  }

  const levelRaw = (setting(values['log-level'] as string | undefined) ?? setting(env.LOG_LEVEL) ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(levelRaw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${levelRaw}".`);
  }

  let profiles: ProfileSettings | undefined;
  try {
    profiles = parseProfileSettings(setting(env.SWAS_MCP_PROFILES), setting(env.SWAS_MCP_PROFILE_POLICY));
  } catch (err) {
    if (err instanceof ProfileSettingError) throw new ConfigError(err.message);
    throw err;
  }
  let profileUsers: ProfileUsers | undefined;
  try {
    profileUsers = parseProfileUsers(setting(env.SWAS_MCP_PROFILE_USERS), profiles?.names, oauth !== undefined);
  } catch (err) {
    if (err instanceof AuthSettingError) throw new ConfigError(err.message);
    throw err;
  }
  const stsRaw = setting(env.SWAS_MCP_STS_ENDPOINT);
  const stsEndpoint = stsRaw === undefined ? undefined : parseEndpoint(stsRaw, 'SWAS_MCP_STS_ENDPOINT', allowInsecureEndpoint);
  if (stsEndpoint && stsEndpoint.protocol === 'http:' && !isLoopbackHost(stsEndpoint.hostname)) {
    warnings.push(`SWAS_MCP_STS_ENDPOINT uses plain http: on ${stsEndpoint.hostname}: signed STS requests travel in clear text (allowed by SWAS_MCP_ALLOW_INSECURE_ENDPOINT).`);
  }

  return {
    ...(profiles ? { profiles } : {}),
    ...(oauth ? { oauth } : {}),
    ...(profileUsers ? { profileUsers } : {}),
    ...(stsEndpoint ? { stsEndpoint } : {}),
    regionId,
    endpoint,
    readOnly: values['read-only'] === true || parseBoolean('SWAS_MCP_READ_ONLY', setting(env.SWAS_MCP_READ_ONLY)),
    simulate,
    logLevel: levelRaw as LogLevel,
    waitTimeoutMs: parseMs('SWAS_MCP_WAIT_TIMEOUT_MS', setting(env.SWAS_MCP_WAIT_TIMEOUT_MS), 50_000, 0, 600_000),
    pollIntervalMs: parseMs('SWAS_MCP_POLL_INTERVAL_MS', setting(env.SWAS_MCP_POLL_INTERVAL_MS), 1_000, 10, 60_000),
    requestTimeoutMs: parseMs('SWAS_MCP_REQUEST_TIMEOUT_MS', setting(env.SWAS_MCP_REQUEST_TIMEOUT_MS), 10_000, 100, 120_000),
    retryBudgetMs: parseMs('SWAS_MCP_RETRY_BUDGET_MS', setting(env.SWAS_MCP_RETRY_BUDGET_MS), 25_000, 0, 300_000),
    simImageReadyMs: optionalMs('SWAS_SIM_IMAGE_READY_MS', setting(env.SWAS_SIM_IMAGE_READY_MS), 0, 600_000),
    simSnapshotReadyMs: optionalMs('SWAS_SIM_SNAPSHOT_READY_MS', setting(env.SWAS_SIM_SNAPSHOT_READY_MS), 0, 600_000),
    // 20×: a 40 GB snapshot takes about 20 s and an image about half a minute, so a person trying
    // --simulate sees the real path (still creating when a call's wait ends, then a wait tool).
    simTimeScale: parseInteger('SWAS_SIM_TIME_SCALE', setting(env.SWAS_SIM_TIME_SCALE), 20, 1, 1_000_000, ''),
    allowDestructive: values['allow-destructive'] === true || parseBoolean('SWAS_MCP_ALLOW_DESTRUCTIVE', setting(env.SWAS_MCP_ALLOW_DESTRUCTIVE)),
    allowPurchase: values['allow-purchase'] === true || parseBoolean('SWAS_MCP_ALLOW_PURCHASE', setting(env.SWAS_MCP_ALLOW_PURCHASE)),
    ...optionalCost(setting(env.SWAS_MCP_MAX_ORDER_COST)),
    tools: values.tools !== undefined
      ? parseTools(values.tools as string, '--tools')
      : parseTools(setting(env.SWAS_MCP_TOOLS), 'SWAS_MCP_TOOLS'),
    auditLog,
    allowInsecureEndpoint,
    retryBaseDelayMs: parseMs('SWAS_MCP_RETRY_BASE_DELAY_MS', setting(env.SWAS_MCP_RETRY_BASE_DELAY_MS), 400, 1, 60_000),
    ecsMetadata: parseBoolean('SWAS_MCP_ECS_METADATA', setting(env.SWAS_MCP_ECS_METADATA)),
    ...(http ? { http } : {}),
    ...(httpToken !== undefined ? { httpToken } : {}),
    httpAllowedHosts: parseList(setting(env.SWAS_MCP_HTTP_ALLOWED_HOSTS)),
    httpAllowedOrigins: parseList(setting(env.SWAS_MCP_HTTP_ALLOWED_ORIGINS)),
    httpMaxBodyBytes: parseInteger('SWAS_MCP_HTTP_MAX_BODY_BYTES', setting(env.SWAS_MCP_HTTP_MAX_BODY_BYTES), 1_048_576, 1_024, 104_857_600, 'of bytes '),
    httpMaxConcurrent: parseInteger('SWAS_MCP_HTTP_MAX_CONCURRENT', setting(env.SWAS_MCP_HTTP_MAX_CONCURRENT), 32, 1, 10_000, ''),
    httpShutdownMs: parseMs('SWAS_MCP_HTTP_SHUTDOWN_MS', setting(env.SWAS_MCP_HTTP_SHUTDOWN_MS), 10_000, 0, 600_000),
    ...(consentKeyFile !== undefined ? { consentKeyFile } : {}),
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    snapshotMaxAgeHours: parseInteger('SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS', setting(env.SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS), 24, 1, 87_600, 'of hours '),
    consentMode: parseConsentMode(setting(env.SWAS_MCP_CONSENT)),
    consentAnswerTimeoutMs: parseMs('SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS', setting(env.SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS), 180_000, 1, 600_000),
    passkeyFile: setting(env.SWAS_MCP_PASSKEY_FILE) ?? join(stateDir(env), 'passkeys.json'),
    ...(approvalBaseUrl !== undefined ? { approvalBaseUrl } : {}),
    ...(approverLogin !== undefined ? { approverLogin } : {}),
    warnings,
  };
}

/** How approvers log in on the approval page (authorization code + PKCE at the OAuth issuer of `oauth`). */
export interface ApproverLoginSettings {
  /** SWAS_MCP_APPROVAL_CLIENT_ID: the approval page's client at the issuer. */
  clientId: string;
  /** From SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE (a confidential client); secret: never logged. */
  clientSecret?: string;
  /** SWAS_MCP_APPROVAL_SEPARATE: nobody approves their own request. */
  separate: boolean;
}

function parseApproverLogin(env: NodeJS.ProcessEnv, oauth: boolean): ApproverLoginSettings | undefined {
  const clientId = setting(env.SWAS_MCP_APPROVAL_CLIENT_ID);
  const secretFile = setting(env.SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE);
  const separate = parseBoolean('SWAS_MCP_APPROVAL_SEPARATE', setting(env.SWAS_MCP_APPROVAL_SEPARATE));
  if (clientId === undefined) {
    if (secretFile !== undefined) throw new ConfigError('SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE needs SWAS_MCP_APPROVAL_CLIENT_ID (the approval page\'s client at the issuer).');
    if (separate) throw new ConfigError('SWAS_MCP_APPROVAL_SEPARATE=true needs approvers to log in: set SWAS_MCP_APPROVAL_CLIENT_ID (with SWAS_MCP_OAUTH_ISSUER and SWAS_MCP_PUBLIC_URL).');
    return undefined;
  }
  if (!oauth) throw new ConfigError('SWAS_MCP_APPROVAL_CLIENT_ID needs OAuth in HTTP mode (SWAS_MCP_HTTP with SWAS_MCP_OAUTH_ISSUER and SWAS_MCP_PUBLIC_URL): approvers log in at that issuer on the HTTP server\'s approval page.');
  if (!/^[\x21-\x7E]{1,256}$/.test(clientId)) throw new ConfigError('SWAS_MCP_APPROVAL_CLIENT_ID must be 1 to 256 printable ASCII characters without spaces.');
  let clientSecret: string | undefined;
  if (secretFile !== undefined) {
    try {
      clientSecret = readFileSync(secretFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${secretFile}`);
    }
    if (clientSecret === '') throw new ConfigError('SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE names an empty file.');
  }
  return { clientId, separate, ...(clientSecret !== undefined ? { clientSecret } : {}) };
}
