import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const ENV = {
  PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  // The demo's pace: simulated minutes pass 2,000 times faster (its own test does the same).
  DEMO_TIME_SCALE: '2000', DEMO_CALL_WAIT_MS: '100', DEMO_POLL_MS: '40',
};

/** The shell blocks of the README and docs that are marked `<!-- runnable -->`. */
function runnableBlocks(): { file: string; script: string }[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return files.flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/<!-- runnable -->\n```sh\n([\s\S]*?)```/g)]
    .map((m) => ({ file, script: m[1]! })));
}

describe('the command line a person types', () => {
  it('--help prints to stdout, fits 100 columns and names the common settings', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/index.js'), '--help'], { env: ENV, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^swas-image-mcp: /);
    for (const name of ['--read-only', '--allow-destructive', '--http', 'SWAS_MCP_AUDIT_LOG', '--simulate']) expect(r.stdout).toContain(name);
    const long = r.stdout.split('\n').filter((l) => l.length > 100);
    expect(long).toEqual([]);
  });

  it('--version prints the version to stdout', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/index.js'), '--version'], { env: ENV, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(version);
  });

  it('every block the README and docs mark runnable runs as written from the repository', () => {
    const blocks = runnableBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    for (const { file, script } of blocks) {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 50_000 });
      expect(r.status, `${file}:\n${script}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
    }
  }, 60_000);
});
