import { parseArgs } from 'node:util';
import { isRegionId } from './swas/shapes.js';

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
  /** Simulate mode only: how long a new image / snapshot takes to finish, in ms. */
  simImageReadyMs: number;
  simSnapshotReadyMs: number;
  help: boolean;
  version: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const USAGE = `swas-image-mcp: MCP stdio server for Alibaba Cloud SWAS custom images

Usage: swas-image-mcp [--region <id>] [--endpoint <url>] [--read-only] [--simulate] [--log-level <level>]

  --region <id>       default region (env ALIBABA_CLOUD_REGION_ID)
  --endpoint <url>    base URL replacing https://swas.<region>.aliyuncs.com (env SWAS_ENDPOINT)
  --read-only         register only the read-only tools (env SWAS_MCP_READ_ONLY=true)
  --simulate          use the embedded SWAS simulator with demo data instead of Alibaba Cloud
  --log-level <lvl>   ${LOG_LEVELS.join(', ')} (env LOG_LEVEL, default info); logs go to stderr
  --help, --version

Credentials come from @alicloud/credentials' default chain: ALIBABA_CLOUD_ACCESS_KEY_ID /
ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN), ALIBABA_CLOUD_PROFILE with
~/.alibabacloud/credentials or ~/.aliyun/config.json, OIDC, or an ECS RAM role.`;

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

export function parseEndpoint(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError(`${source} must be a URL such as https://swas.cn-hangzhou.aliyuncs.com, got "${raw}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${source} must use http or https, got "${url.protocol}".`);
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigError(`${source} must be a bare base URL (scheme, host and optional port), got "${raw}".`);
  }
  return url;
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
      options: {
        region: { type: 'string' },
        endpoint: { type: 'string' },
        'read-only': { type: 'boolean' },
        simulate: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }

  const regionId = setting(values.region as string | undefined) ?? setting(env.ALIBABA_CLOUD_REGION_ID);
  if (regionId !== undefined && !isRegionId(regionId)) {
    throw new ConfigError(`The default region "${regionId}" is not a region ID such as cn-hangzhou.`);
  }

  const endpointRaw = setting(values.endpoint as string | undefined) ?? setting(env.SWAS_ENDPOINT);
  const endpoint = endpointRaw === undefined ? undefined : parseEndpoint(endpointRaw, 'SWAS_ENDPOINT / --endpoint');

  const levelRaw = (setting(values['log-level'] as string | undefined) ?? setting(env.LOG_LEVEL) ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(levelRaw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${levelRaw}".`);
  }

  return {
    regionId,
    endpoint,
    readOnly: values['read-only'] === true || parseBoolean('SWAS_MCP_READ_ONLY', setting(env.SWAS_MCP_READ_ONLY)),
    simulate: values.simulate === true || parseBoolean('SWAS_MCP_SIMULATE', setting(env.SWAS_MCP_SIMULATE)),
    logLevel: levelRaw as LogLevel,
    waitTimeoutMs: parseMs('SWAS_MCP_WAIT_TIMEOUT_MS', setting(env.SWAS_MCP_WAIT_TIMEOUT_MS), 50_000, 0, 600_000),
    pollIntervalMs: parseMs('SWAS_MCP_POLL_INTERVAL_MS', setting(env.SWAS_MCP_POLL_INTERVAL_MS), 1_000, 10, 60_000),
    requestTimeoutMs: parseMs('SWAS_MCP_REQUEST_TIMEOUT_MS', setting(env.SWAS_MCP_REQUEST_TIMEOUT_MS), 10_000, 100, 120_000),
    retryBudgetMs: parseMs('SWAS_MCP_RETRY_BUDGET_MS', setting(env.SWAS_MCP_RETRY_BUDGET_MS), 25_000, 0, 300_000),
    simImageReadyMs: parseMs('SWAS_SIM_IMAGE_READY_MS', setting(env.SWAS_SIM_IMAGE_READY_MS), 8_000, 0, 600_000),
    simSnapshotReadyMs: parseMs('SWAS_SIM_SNAPSHOT_READY_MS', setting(env.SWAS_SIM_SNAPSHOT_READY_MS), 5_000, 0, 600_000),
    help: values.help === true,
    version: values.version === true,
  };
}
