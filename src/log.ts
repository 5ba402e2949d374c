import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths pino censors. `*.x` matches one level only, so the likely nestings are listed. Messages are
 * never redacted: nothing secret is ever interpolated into one.
 */
export const REDACT_PATHS = [
  'accessKeySecret', '*.accessKeySecret', '*.*.accessKeySecret',
  'securityToken', '*.securityToken', '*.*.securityToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'credential', '*.credential', 'credentials', '*.credentials',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET', '*.ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN', '*.ALIBABA_CLOUD_SECURITY_TOKEN',
];

/** pino on fd 2, asynchronous (flushed by pino at exit): stdout belongs to the MCP protocol. */
export function createLogger(level: LogLevel): Logger {
  return pino(
    { level, base: { name: 'swas-image-mcp' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    pino.destination({ dest: 2, sync: false }),
  );
}

/**
 * `debug` namespaces of the SDK's dependencies that print credentials: httpx:header prints every
 * request header (Authorization, x-acs-security-token), httpx:body the bodies (an STS answer holds
 * a secret), @alicloud/credentials' `sign` the string it signs, and the proxy agents the proxy URL
 * with its password.
 */
export const SECRET_DEBUG_NAMESPACES = ['httpx:*', 'sign', 'http-proxy-agent', 'https-proxy-agent', 'https-proxy-agent:*', 'agent-base'] as const;

/**
 * Turns off the namespaces above whatever DEBUG enables (`DEBUG=*` or `DEBUG=httpx:*`), by adding
 * their negations (`-httpx:*`), which the `debug` package applies before any match. Other
 * namespaces keep working. `debug` reads DEBUG once, when it is first loaded (with the SDK, on the
 * first API call), so call this at start-up, before anything imports the SDK. Returns the
 * namespaces it turned off when DEBUG is set (for one log line), else [].
 */
export function silenceSecretDebugNamespaces(env: NodeJS.ProcessEnv = process.env): string[] {
  const current = env.DEBUG?.trim();
  if (!current) return [];
  const negations = SECRET_DEBUG_NAMESPACES.map((n) => `-${n}`);
  const present = current.split(/[\s,]+/).filter((n) => n !== '');
  const missing = negations.filter((n) => !present.includes(n));
  if (missing.length > 0) env.DEBUG = [...present, ...missing].join(',');
  return [...SECRET_DEBUG_NAMESPACES];
}
