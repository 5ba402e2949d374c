import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('plays the whole story against the embedded simulator and exits 0', async () => {
    const child = spawn(process.execPath, [resolve(__dirname, '../../scripts/demo.mjs')], {
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        // The story is the same with short waits; several polls still fall inside each wait.
        SWAS_SIM_SNAPSHOT_READY_MS: '400', SWAS_SIM_IMAGE_READY_MS: '400', SWAS_MCP_POLL_INTERVAL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, out).toBe(0);
    // The story's beats, in order.
    const beats = [
      'shop-server', '0 system snapshot(s) found', 'Status: accomplished 100%', 'Dry run: every check passed',
      'Status: Available', 'nothing new was created', 'Available', 'IncorrectInstanceStatus: ', 'Input validation error', 'Done.',
    ];
    let at = 0;
    for (const beat of beats) {
      const i = out.indexOf(beat, at);
      expect(i, `"${beat}" after position ${at}`).toBeGreaterThanOrEqual(0);
      at = i + beat.length;
    }
    expect(out).toMatch(/progress \d/);
  }, 60_000);
});
