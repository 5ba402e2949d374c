import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('plays the whole lifecycle story against the embedded simulator and exits 0', async () => {
    const child = spawn(process.execPath, [resolve(__dirname, '../../scripts/demo.mjs')], {
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        // Simulated minutes pass 2,000 times faster; each call still waits less than an image takes.
        DEMO_TIME_SCALE: '2000', DEMO_CALL_WAIT_MS: '100', DEMO_POLL_MS: '40',
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
      'searched 11 regions', 'Status: Creating', 'All done', 'CustomImageQuotaLimit: 3 of 3', 'quota: 3 of 3 used',
      'ConfirmToken', 'delete_custom_images', 'Status: Creating', 'wait_for_resources', 'All done',
      'ConfirmationRequired', 'share_custom_image', 'Input validation error',
      'intent  create_custom_image', 'outcome delete_custom_images', 'outcome share_custom_image', 'Done.',
    ];
    let at = 0;
    for (const beat of beats) {
      const i = out.indexOf(beat, at);
      expect(i, `"${beat}" after position ${at}:\n${out}`).toBeGreaterThanOrEqual(0);
      at = i + beat.length;
    }
    expect(out).toMatch(/progress \d/);
  }, 60_000);
});
