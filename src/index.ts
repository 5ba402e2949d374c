#!/usr/bin/env node
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { ConfigError, dropUnfilledPlaceholders, loadConfig, USAGE, type Config } from './config.js';
import { createLogger } from './log.js';
import { buildServer } from './server.js';
import { ALL_TOOLS } from './tools/index.js';
import { selectTools } from './tools/registry.js';
import { SdkSwasApi, type CredentialSource } from './swas/client.js';
import { DEFAULT_RETRY } from './swas/retry.js';
import { VERSION } from './version.js';

function readConfig(): Config {
  dropUnfilledPlaceholders(process.env);
  try {
    return loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`swas-image-mcp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  // Help and version go to stderr too: stdout is reserved for the protocol.
  if (config.help) { process.stderr.write(`${USAGE}\n`); return; }
  if (config.version) { process.stderr.write(`${VERSION}\n`); return; }

  const log = createLogger(config.logLevel);
  let credentials: CredentialSource = { kind: 'default-chain' };
  let stopSimulator: (() => Promise<void>) | undefined;
  if (config.simulate) {
    // Loaded only here, so that a normal start never pays for the simulator.
    const sim = await import('./simulator/index.js');
    const running = await sim.startSimulator({
      port: 0, seed: 'demo',
      imageReadyMs: config.simImageReadyMs,
      snapshotReadyMs: config.simSnapshotReadyMs,
    });
    config.endpoint = new URL(running.url);
    config.regionId ??= 'cn-hangzhou';
    credentials = { kind: 'static', accessKeyId: sim.SIM_ACCESS_KEY_ID, accessKeySecret: sim.SIM_ACCESS_KEY_SECRET };
    stopSimulator = () => running.stop();
    log.info({ endpoint: running.url }, 'simulate mode: embedded SWAS simulator with demo data');
  }

  const api = new SdkSwasApi({
    endpoint: config.endpoint,
    credentials,
    retry: { ...DEFAULT_RETRY, attemptTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs },
    log,
  });
  const tools = selectTools(ALL_TOOLS, { readOnly: config.readOnly, allowDestructive: false });
  const toolContext = { api, config, log, simulated: config.simulate };
  let handle: { close(): Promise<void> } | undefined;

  let closing = false;
  const shutdown = async (reason: string) => {
    if (closing) return;
    closing = true;
    log.info({ reason }, 'shutting down');
    await handle?.close().catch(() => undefined);
    await stopSimulator?.().catch(() => undefined);
    log.flush();
    process.exit(0);
  };
  process.stdin.on('end', () => void shutdown('stdin closed'));
  process.stdin.on('close', () => void shutdown('stdin closed'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // One bad call must never take the server down for the others.
  process.on('uncaughtException', (err) => log.error({ err: { name: err.name, stack: err.stack } }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err: err instanceof Error ? { name: err.name, stack: err.stack } : String(err) }, 'unhandled rejection'));

  handle = serveStdio(() => buildServer(toolContext, tools), {
    onerror: (err) => log.warn({ err: { name: err.name, message: err.message } }, 'stdio transport error'),
  });
  log.info({ version: VERSION, readOnly: config.readOnly, simulate: config.simulate, region: config.regionId }, 'swas-image-mcp ready on stdio');
}

main().catch((err: unknown) => {
  process.stderr.write(`swas-image-mcp failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
