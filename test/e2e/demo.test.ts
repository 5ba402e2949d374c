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
      'searched 11 regions', 'data d-t4nsgdata', 'WARNING (tell the user)', 'Status: Creating', 'system disk only', 'All done',
      'CustomImageQuotaLimit: 3 of 3', 'Oldest images', 'Nothing was sent', 'quota: 3 of 3 used',
      'ConfirmToken', 'delete_custom_images', 'img-sg-web-2026-11-29-sys', 'img-sg-web-2026-11-29-data',
      'Done: img-sg-web-2026-11-29-sys accomplished', 'Available', 'from system snapshot', 'and data snapshot',
      'are kept',
      'ConfirmationRequired', 'share_custom_image', 'InvalidParameter: RegionId',
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
