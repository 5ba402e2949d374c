import { parseArgs } from 'node:util';

/** The server's command-line options, as `node:util` parseArgs takes them (src/config.ts reads the rest). */
export const CLI_OPTIONS = {
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'read-only': { type: 'boolean' },
  'allow-destructive': { type: 'boolean' },
  'allow-purchase': { type: 'boolean' },
  tools: { type: 'string' },
  http: { type: 'string' },
  simulate: { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/**
 * What a valid command line asks for instead of a server: `--help` (which wins) or `--version`.
 * Read by the loader (src/boot.ts) before it loads the server, so that these answer as fast as Node
 * starts, whatever the environment holds. Undefined for anything else, an invalid command line too:
 * the server then starts, or says what is wrong with it.
 */
export function helpOrVersion(argv: readonly string[]): 'help' | 'version' | undefined {
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: CLI_OPTIONS, strict: true }));
  } catch {
    return undefined;
  }
  return values.help === true ? 'help' : values.version === true ? 'version' : undefined;
}
