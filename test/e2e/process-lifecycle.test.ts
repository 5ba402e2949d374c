// The server process ends cleanly when told to (SIGTERM) or when its client goes (stdin closes),
// its log flushed. The API's and the arguments' faults are in test/integration/reliability.test.ts.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';

let sim: Simulator;
beforeAll(async () => { sim = await startSimulator(); });
afterAll(async () => { await sim?.stop(); });

describe('process lifecycle', () => {
  for (const how of ['SIGTERM', 'stdin closing'] as const) {
    it(`ends cleanly on ${how}, logs flushed`, async () => {
      const child = spawn(process.execPath, [SERVER_ENTRY], { env: isolatedEnv({ ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url }), stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`);
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      if (how === 'SIGTERM') child.kill('SIGTERM'); else child.stdin.end();
      expect(await exited).toBe(0);
      expect(stderr).toContain('"msg":"shutting down"');
    });
  }
});
