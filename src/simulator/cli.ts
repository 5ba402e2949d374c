// Standalone simulator: `npm run simulator -- --port 8787 [--seed demo|empty|file.json]
// [--profile fixed|realistic] [--time-scale n] [--image-ready-ms n] [--snapshot-ready-ms n]
// [--image-list-delay-ms n] [--image-delete-ms n] [--reset-ms n] [--unknown-id-errors]
// [--latency-ms n] [--host 127.0.0.1]`. `--time-scale` alone selects the realistic profile.
// Everything it prints goes to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type SeedData, type SimulatorOptions } from './index.js';

const USAGE =
  'usage: simulator [--port 8787] [--host 127.0.0.1] [--seed demo|empty|file.json] [--profile fixed|realistic] [--time-scale n] ' +
  '[--image-ready-ms n] [--snapshot-ready-ms n] [--image-list-delay-ms n] [--image-delete-ms n] [--reset-ms n] [--unknown-id-errors] [--latency-ms n]';

function fail(message: string): never {
  process.stderr.write(`simulator: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer`);
  return Number(value);
}

function loadSeed(value: string | undefined): SimulatorOptions['seed'] {
  if (value === undefined || value === 'demo' || value === 'empty') return value ?? 'demo';
  try {
    return JSON.parse(readFileSync(value, 'utf8')) as SeedData;
  } catch (e) {
    fail(`cannot read seed file ${value}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'image-ready-ms': { type: 'string' },
        'snapshot-ready-ms': { type: 'string' },
        'latency-ms': { type: 'string' },
        profile: { type: 'string' },
        'time-scale': { type: 'string' },
        'image-list-delay-ms': { type: 'string' },
        'image-delete-ms': { type: 'string' },
        'reset-ms': { type: 'string' },
        'unknown-id-errors': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const options: SimulatorOptions = { port: int('port', values.port) ?? 8787, seed: loadSeed(values.seed) };
  if (values.host !== undefined) options.host = values.host;
  const imageReadyMs = int('image-ready-ms', values['image-ready-ms']);
  if (imageReadyMs !== undefined) options.imageReadyMs = imageReadyMs;
  const snapshotReadyMs = int('snapshot-ready-ms', values['snapshot-ready-ms']);
  if (snapshotReadyMs !== undefined) options.snapshotReadyMs = snapshotReadyMs;
  const latencyMs = int('latency-ms', values['latency-ms']);
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  for (const [flag, key] of [
    ['image-list-delay-ms', 'imageListDelayMs'],
    ['image-delete-ms', 'imageDeleteMs'],
    ['reset-ms', 'resetMs'],
  ] as const) {
    const v = int(flag, values[flag]);
    if (v !== undefined) options[key] = v;
  }
  if (values.profile !== undefined && values.profile !== 'fixed' && values.profile !== 'realistic') fail('--profile must be fixed or realistic');
  const timeScale = values['time-scale'];
  if (timeScale !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(timeScale) || !(Number(timeScale) > 0)) fail('--time-scale must be a positive number');
    options.timeScale = Number(timeScale);
    options.profile = 'realistic';
  }
  if (values.profile !== undefined) options.profile = values.profile;
  if (values['unknown-id-errors']) options.unknownIdErrors = true;

  let sim;
  try {
    sim = await startSimulator(options);
  } catch (e) {
    fail(`cannot listen: ${(e as Error).message}`);
  }
  process.stderr.write(
    `SWAS API simulator listening on ${sim.url} (AccessKeyId=${SIM_ACCESS_KEY_ID} AccessKeySecret=${SIM_ACCESS_KEY_SECRET}); ` +
      `point the SDK at it with endpoint "${sim.endpoint}" and protocol "HTTP".\n`,
  );
  const shutdown = (signal: string): void => {
    process.stderr.write(`simulator: ${signal}, stopping\n`);
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
