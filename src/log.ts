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
