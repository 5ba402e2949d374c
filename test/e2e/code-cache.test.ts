import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/process.js';
import { isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';

const DIST = dirname(SERVER_ENTRY);
const INIT = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'code-cache-test', version: '1' } } })}\n`;

const copies: string[] = [];
afterAll(() => { for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/** A copy of the built dist/, so each case can change its code cache. */
function distCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'swas-code-cache-'));
  copies.push(root);
  const dist = join(root, 'dist');
  cpSync(DIST, dist, { recursive: true });
  return dist;
}

const cacheDir = (dist: string) => join(dist, 'code-cache');
const cacheFiles = (dist: string) => readdirSync(cacheDir(dist));

/** Starts dist/index.js as a client does, sends initialize, closes stdin after the answer: the answer and how the process ended. */
function startOnce(dist: string, env: Record<string, string> = {}): Promise<{ answer: { id?: number; result?: { serverInfo?: { name?: string } } }; code: number | null; stderr: string }> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [join(dist, 'index.js')], { env: isolatedEnv({ SWAS_MCP_AUDIT_LOG: 'off', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.stdin.end();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n')[0] ?? '';
      try { resolveP({ answer: JSON.parse(line) as never, code, stderr }); } catch { reject(new Error(`no initialize answer; stderr:\n${stderr.slice(-2000)}`)); }
    });
    child.stdin.write(INIT);
  });
}

function expectServed(r: Awaited<ReturnType<typeof startOnce>>): void {
  expect(r.answer.id).toBe(1);
  expect(r.answer.result?.serverInfo?.name).toBe('swas-image-mcp');
  expect(r.code).toBe(0);
}

// Each case starts on its own copy of dist/, so the cases run at once.
describe.concurrent('the start-up code cache (dist/code-cache)', () => {
  it('the build leaves a cache that a start uses as it is', async () => {
    const dist = distCopy();
    const [file] = cacheFiles(dist);
    expect(file).toMatch(/\.bin$/);
    const before = statSync(join(cacheDir(dist), file!));
    expectServed(await startOnce(dist));
    // Accepted: not written again (a rejected or missing cache is rewritten after the first answer).
    expect(cacheFiles(dist)).toEqual([file]);
    expect(statSync(join(cacheDir(dist), file!)).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(join(cacheDir(dist), file!)).ino).toBe(before.ino);
  });

  it('without a cache the server still starts, and leaves one for the next start', async () => {
    const dist = distCopy();
    const [file] = cacheFiles(dist);
    rmSync(cacheDir(dist), { recursive: true });
    expectServed(await startOnce(dist));
    expect(cacheFiles(dist)).toEqual([file]);
    expect(statSync(join(cacheDir(dist), file!)).size).toBeGreaterThan(10_000);
    const made = statSync(join(cacheDir(dist), file!));
    expectServed(await startOnce(dist));
    expect(statSync(join(cacheDir(dist), file!)).ino).toBe(made.ino);
  });

  it('a cache V8 rejects (garbage, or made for other code) never stops a start, and is replaced', async () => {
    for (const bad of [Buffer.from('not a code cache at all'), new Script('1 + 1', { filename: 'other.js' }).createCachedData()]) {
      const dist = distCopy();
      const [file] = cacheFiles(dist);
      const path = join(cacheDir(dist), file!);
      writeFileSync(path, bad);
      expectServed(await startOnce(dist));
      expect(cacheFiles(dist)).toEqual([file]); // no temporary file left behind
      expect(readFileSync(path).equals(bad)).toBe(false);
      expect(statSync(path).size).toBeGreaterThan(10_000);
    }
  });

  it('a start that stops before answering (bad settings, --version) leaves no cache: it compiled too little to keep', async () => {
    const dist = distCopy();
    rmSync(cacheDir(dist), { recursive: true });
    const bad = await runProcess(process.execPath, [join(dist, 'index.js')], { env: isolatedEnv({ SWAS_MCP_TOOLS: 'no_such_tool' }), input: INIT, timeoutMs: 20_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no_such_tool');
    const version = await runProcess(process.execPath, [join(dist, 'index.js'), '--version'], { env: isolatedEnv(), timeoutMs: 20_000 });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(existsSync(cacheDir(dist))).toBe(false);
    expectServed(await startOnce(dist));
    expect(cacheFiles(dist)).toHaveLength(1);
  });

  it('where dist/ cannot be written (read-only install), the cache goes to the user\'s cache folder; where neither can, the server starts all the same', async () => {
    const dist = distCopy();
    const [file] = cacheFiles(dist);
    rmSync(cacheDir(dist), { recursive: true });
    // A file where the folder should be: creating the folder fails, whoever runs the test (root ignores modes).
    writeFileSync(cacheDir(dist), '');
    const home = mkdtempSync(join(tmpdir(), 'swas-code-cache-home-'));
    copies.push(home);
    const userCache = join(home, 'cache', 'swas-image-mcp', 'code-cache');
    const inHome = await startOnce(dist, { XDG_CACHE_HOME: join(home, 'cache') });
    expectServed(inHome);
    expect(readdirSync(userCache)).toEqual([file]);
    const made = statSync(join(userCache, file!));
    expectServed(await startOnce(dist, { XDG_CACHE_HOME: join(home, 'cache') }));
    expect(statSync(join(userCache, file!)).ino).toBe(made.ino); // read from there, not written again

    writeFileSync(join(home, 'blocked'), '');
    const nowhere = await startOnce(dist, { XDG_CACHE_HOME: join(home, 'blocked') });
    expectServed(nowhere);
    expect(nowhere.stderr).not.toMatch(/ENOTDIR|EEXIST|EACCES|failed to start/);
    expect(readdirSync(dist).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a cache belongs to one build of the server script: its name carries the script\'s hash', () => {
    // V8 checks a cache against the source's length only; another build of the same length must not use it.
    const hash = createHash('sha256').update(readFileSync(join(DIST, 'server.script.js'))).digest('hex').slice(0, 16);
    expect(cacheFiles(DIST).some((f) => f.startsWith(`${hash}-${process.version}-${process.arch}-`))).toBe(true);
    expect(cacheFiles(DIST).every((f) => f.startsWith(`${hash}-`))).toBe(true);
    expect(readFileSync(SERVER_ENTRY, 'utf8')).toContain(hash);
  });
});
