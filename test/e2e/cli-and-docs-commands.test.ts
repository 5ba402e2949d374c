import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess, type Ran } from '../helpers/process.js';

const ROOT = resolve(__dirname, '../..');
const ENV = {
  PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  // The demo's pace: simulated minutes pass 2,000 times faster; each call still waits less than an image takes.
  DEMO_TIME_SCALE: '2000', DEMO_CALL_WAIT_MS: '100', DEMO_POLL_MS: '40',
};

/** The shell blocks of the README and docs that are marked `<!-- runnable -->`. */
function runnableBlocks(): { file: string; script: string }[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return files.flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/<!-- runnable -->\n```sh\n([\s\S]*?)```/g)]
    .map((m) => ({ file, script: m[1]! })));
}

/**
 * Runs a shell script from the repository as a person would. Each distinct script runs once in
 * this file: the demo's story below and the README's `npm run demo` block are the same run.
 */
const runs = new Map<string, Promise<Ran>>();
function runScript(script: string): Promise<Ran> {
  let r = runs.get(script);
  if (!r) {
    r = runProcess('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env: ENV, timeoutMs: 50_000 });
    runs.set(script, r);
  }
  return r;
}
// Every script starts now, at once (a failure to spawn is reported by the test that awaits it);
// the suites below are concurrent too, so the file lasts about as long as its slowest command.
const blocks = runnableBlocks();
for (const { script } of blocks) runScript(script).catch(() => undefined);

describe.concurrent('npm run demo', () => {
  it('plays the whole lifecycle story against the embedded simulator and exits 0', async () => {
    const r = await runScript('npm run demo\n');
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    // The story's beats, in order (the demo tells its story on stdout).
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
      const i = r.stdout.indexOf(beat, at);
      expect(i, `"${beat}" after position ${at}:\n${out}`).toBeGreaterThanOrEqual(0);
      at = i + beat.length;
    }
    expect(r.stdout).toMatch(/progress \d/);
  }, 60_000);
});

/**
 * The built loader alone (dist/index.js and the dist/package.json that makes it CommonJS), without
 * the server's script beside it: --help and --version are answered before the server is read, so
 * they print the same from here as from dist/ (the README's runnable block runs them from dist/).
 */
const loaderOnly = mkdtempSync(join(tmpdir(), 'swas-loader-'));
afterAll(() => rmSync(loaderOnly, { recursive: true, force: true }));
mkdirSync(join(loaderOnly, 'dist'));
for (const f of ['index.js', 'package.json']) copyFileSync(join(ROOT, 'dist', f), join(loaderOnly, 'dist', f));

describe.concurrent('the command line a person types', () => {
  it('--help prints to stdout from the loader alone, fits 100 columns and names the common settings', async () => {
    const r = await runProcess(process.execPath, [join(loaderOnly, 'dist/index.js'), '--help'], { env: ENV });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^swas-image-mcp: /);
    for (const name of ['--read-only', '--allow-destructive', '--http', 'SWAS_MCP_AUDIT_LOG', '--simulate']) expect(r.stdout).toContain(name);
    const long = r.stdout.split('\n').filter((l) => l.length > 100);
    expect(long).toEqual([]);
  });

  it('--version prints the version to stdout from the loader alone', async () => {
    const r = await runProcess(process.execPath, [join(loaderOnly, 'dist/index.js'), '--version'], { env: ENV });
    expect(r.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(version);
  });

  it('every block the README and docs mark runnable runs as written from the repository', async () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const { file, script } of blocks) {
      const r = await runScript(script);
      expect(r.status, `${file}:\n${script}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
    }
  }, 60_000);
});
