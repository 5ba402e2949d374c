import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS_FILE } from '../../src/tools/publish.js';
import { serveInProcess } from '../helpers/in-process.js';
import { runProcess } from '../helpers/process.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';
import { testClient } from '../helpers/test-client.js';

const DIST = dirname(SERVER_ENTRY);
const INIT = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'code-cache-test', version: '1' } } })}\n`;

/** The on-demand bundles whose caches the build writes (its list_instances call with the embedded simulator loads them). */
const LAZY_GROUPS = ['sdk', 'simulator'];

const copies: string[] = [];
afterAll(() => { for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/**
 * What the build writes beside the server for its tools/list: every tool's published schemas
 * (dist/published-schemas.json; that it equals what the sources make: test/e2e/published-schemas.test.ts).
 * Each copy of dist/ says one thing there that the sources do not, so a start that lists the tools
 * shows whether it publishes from the file.
 */
const FROM_FILE = 'from the build file';
const regionOfListInstances = (tools: Tool[]) => tools.find((t) => t.name === 'list_instances')?.inputSchema.properties?.RegionId as { description?: string } | undefined;

/** A copy of the built dist/, so each case can change its code cache (and its published schemas say FROM_FILE). */
function distCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'swas-code-cache-'));
  copies.push(root);
  const dist = join(root, 'dist');
  cpSync(DIST, dist, { recursive: true });
  // As the build left it: other tests' servers may meanwhile have cached the bundles it does not warm (pg, passkeys).
  for (const f of readdirSync(join(dist, 'code-cache'))) {
    if (f.startsWith('lazy-') && !LAZY_GROUPS.some((g) => f.startsWith(`lazy-${g}-`) && f.endsWith('.bin'))) rmSync(join(dist, 'code-cache', f));
  }
  const schemasFile = join(dist, PUBLISHED_SCHEMAS_FILE);
  const schemas = JSON.parse(readFileSync(schemasFile, 'utf8')) as Record<string, { input: { properties: Record<string, { description?: string }> } }>;
  schemas.list_instances!.input.properties.RegionId!.description = FROM_FILE;
  writeFileSync(schemasFile, JSON.stringify(schemas));
  return dist;
}

const cacheDir = (dist: string) => join(dist, 'code-cache');
const cacheFiles = (dist: string) => readdirSync(cacheDir(dist));
/** The server script's cache in a listing: the others are the on-demand bundles' (lazy-<group>-...). */
const mainCaches = (files: string[]) => files.filter((f) => !f.startsWith('lazy-'));

interface Answer { id?: number; result?: { serverInfo?: { name?: string }; content?: { text?: string }[]; isError?: boolean; tools?: Tool[] } }

/**
 * Starts dist/index.js (with `args`) as a client does, writes `input`, and closes stdin once the
 * answers with the IDs `ids` are out: those answers (by ID), how the process ended, and what it said on stderr.
 */
function startUntilAnswered(dist: string, args: string[], input: string, ids: number[], env: Record<string, string>): Promise<{ answers: Map<number, Answer>; out: string; code: number | null; stderr: string }> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [join(dist, 'index.js'), ...args], { env: isolatedEnv({ SWAS_MCP_AUDIT_LOG: 'off', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    const answers = () => new Map(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Answer).filter((m) => m.id !== undefined && ids.includes(m.id)).map((m) => [m.id!, m]));
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.endsWith('\n') && answers().size === ids.length) child.stdin.end();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      try { resolveP({ answers: answers(), out, code, stderr }); } catch (err) { reject(err as Error); }
    });
    child.stdin.write(input);
  });
}

/** Starts dist/index.js, sends initialize, closes stdin after the answer: the answer and how the process ended. */
async function startOnce(dist: string, env: Record<string, string> = {}): Promise<{ answer: Answer; code: number | null; stderr: string }> {
  const r = await startUntilAnswered(dist, [], INIT, [1], env);
  const answer = r.answers.get(1);
  if (!answer) throw new Error(`no initialize answer; stderr:\n${r.stderr.slice(-2000)}`);
  return { answer, code: r.code, stderr: r.stderr };
}

function expectServed(r: Awaited<ReturnType<typeof startOnce>>): void {
  expect(r.answer.id).toBe(1);
  expect(r.answer.result?.serverInfo?.name).toBe('swas-image-mcp');
  expect(r.code).toBe(0);
}

const LIST_INSTANCES = [
  INIT,
  `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`,
  `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_instances', arguments: {} } })}\n`,
].join('');
const LIST_TOOLS = `${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' })}\n`;

/**
 * Starts dist/index.js with the embedded simulator, so that its first call loads the on-demand bundles
 * of the simulator and the Alibaba SDK; lists the servers, closes stdin after the answer. With
 * `consent`, the start runs in that consent mode and lists the tools too (`tools`).
 */
async function firstCall(dist: string, env: Record<string, string> = {}, consent?: string): Promise<{ text: string; code: number | null; stderr: string; tools?: Tool[] }> {
  const r = consent === undefined
    ? await startUntilAnswered(dist, ['--simulate'], LIST_INSTANCES, [2], env)
    : await startUntilAnswered(dist, ['--simulate'], LIST_INSTANCES + LIST_TOOLS, [2, 3], { ...env, SWAS_MCP_CONSENT: consent });
  const result = r.answers.get(2)?.result;
  if (!result || result.isError) throw new Error(`no list_instances answer; stdout:\n${r.out.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}`);
  const tools = r.answers.get(3)?.result?.tools;
  return { text: result.content?.map((c) => c.text ?? '').join('\n') ?? '', code: r.code, stderr: r.stderr, ...(tools ? { tools } : {}) };
}

/**
 * The tools a start listed (from a copy whose file says FROM_FILE) are published from the build's
 * file, and are otherwise what the server composed in this process lists in that consent mode, to
 * the last member (the build converts the schemas once so that a start does not build them all).
 */
async function expectPublishedFromFile(r: Awaited<ReturnType<typeof firstCall>>, consent: string): Promise<void> {
  const client = testClient();
  const server = await serveInProcess(client, isolatedEnv({
    ...SIM_CREDENTIALS, SWAS_ENDPOINT: 'http://127.0.0.1:9/', ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_CONSENT: consent, SWAS_MCP_AUDIT_LOG: 'off',
  }));
  let expected: Tool[];
  try {
    expected = (await client.listTools()).tools;
  } finally {
    await server.close();
  }
  expect(r.tools).toBeDefined();
  expect(regionOfListInstances(r.tools!)?.description).toBe(FROM_FILE);
  expect(regionOfListInstances(expected)?.description).not.toBe(FROM_FILE);
  regionOfListInstances(expected)!.description = FROM_FILE;
  expect(r.tools).toEqual(expected);
}

function expectListed(r: Awaited<ReturnType<typeof firstCall>>): void {
  expect(r.text).toContain('blog-server');
  expect(r.code).toBe(0);
}

/** The cache of dist/lazy/<group>.cjs in a listing. */
const lazyCache = (files: string[], group: string) => files.find((f) => f.startsWith(`lazy-${group}-`));

/** Every cache of a listing: the server script's and each on-demand bundle's. */
const allCaches = (files: string[]) => [mainCaches(files), ...LAZY_GROUPS.map((g) => lazyCache(files, g)!)].flat();

/** Inode and modification time of each file: the same after a start means it was read, not written again. */
const identities = (dir: string, files: string[]) => files.map((f) => { const s = statSync(join(dir, f)); return [f, s.ino, s.mtimeMs]; });

/** For a case that starts the server three or four times in a row: on a loaded 2-core machine one start and call can take seconds. */
const SEQUENCE_TIMEOUT_MS = 60_000;

// Each case starts on its own copy of dist/, so the cases run at once. A start that makes a first
// call (firstCall) proves the server script's cache and the on-demand bundles' at once. Three of the
// starts, one in each consent mode, also list the tools: the build's other file for a start, its
// published schemas, is proven by the same processes (a start each would cost ~0.3 s of CPU more).
describe.concurrent('the start-up code caches (dist/code-cache: the server script\'s, and the on-demand bundles\' of dist/lazy/*.cjs)', () => {
  it('the build leaves caches for the server and for the Alibaba SDK and the simulator, which a start and its first call use as they are (and it publishes from the build\'s schemas, consent human)', async () => {
    const dist = distCopy();
    const listing = cacheFiles(dist);
    const [file] = mainCaches(listing);
    expect(file).toMatch(/\.bin$/);
    const caches = allCaches(listing);
    expect(caches).toHaveLength(1 + LAZY_GROUPS.length);
    const before = identities(cacheDir(dist), caches);
    const started = await firstCall(dist, {}, 'human');
    expectListed(started);
    // Accepted: not written again (a missing or rejected cache is rewritten: the server's after the
    // first answer, a bundle's when the process exits).
    expect(cacheFiles(dist)).toEqual(listing);
    expect(identities(cacheDir(dist), caches)).toEqual(before);
    await expectPublishedFromFile(started, 'human');
  });

  it('without caches: a start that stops before answering (refused, exit 2, for naming an unknown tool; --version) leaves none; one that answers leaves the server\'s only, its first call the bundles\', and the next start uses them all as they are (and publishes from the build\'s schemas, consent confirm)', async () => {
    const dist = distCopy();
    const built = cacheFiles(dist);
    const [file] = mainCaches(built);
    rmSync(cacheDir(dist), { recursive: true });
    // The start names the unknown tool and the known ones, exits 2 and writes nothing on stdout.
    // (Which tools a start offers: test/integration/tool-selection.test.ts.)
    const [bad, version] = await Promise.all([
      runProcess(process.execPath, [join(dist, 'index.js'), '--tools', 'list_instances,delete_everything'], {
        env: isolatedEnv({ SWAS_MCP_SIMULATE: 'true', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'warn' }), input: INIT, timeoutMs: 20_000,
      }),
      runProcess(process.execPath, [join(dist, 'index.js'), '--version'], { env: isolatedEnv(), timeoutMs: 20_000 }),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('delete_everything');
    expect(bad.stderr).toContain('list_instances');
    expect(bad.stdout).toBe('');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(existsSync(cacheDir(dist))).toBe(false);

    // A start that loads no on-demand bundle writes the server's cache only.
    expectServed(await startOnce(dist));
    expect(cacheFiles(dist)).toEqual([file]);
    expect(statSync(join(cacheDir(dist), file!)).size).toBeGreaterThan(10_000);
    const [server] = identities(cacheDir(dist), [file!]);

    // The first call still works; the bundles' caches are written, with the build's names and no temporary file.
    expectListed(await firstCall(dist));
    expect(cacheFiles(dist)).toEqual(built);
    expect(identities(cacheDir(dist), [file!])).toEqual([server]); // the server's was read, not written again
    const bundles = allCaches(built).slice(1);
    for (const f of bundles) expect(statSync(join(cacheDir(dist), f)).size).toBeGreaterThan(10_000);
    const made = identities(cacheDir(dist), built);
    const next = await firstCall(dist, {}, 'confirm');
    expectListed(next);
    expect(identities(cacheDir(dist), built)).toEqual(made);
    await expectPublishedFromFile(next, 'confirm');
  }, SEQUENCE_TIMEOUT_MS);

  // Where each cache is read and written, a cache made for other code, and one that cannot be
  // written anywhere (a read-only install): test/unit/code-cache.test.ts, on compileCached in this process.
  it('garbage in every cache (the server script\'s and both bundles\') never stops a start or a call, and each is replaced (and it publishes from the build\'s schemas, consent off)', async () => {
    const bad = Buffer.from('not a code cache at all');
    const dist = distCopy();
    const listing = cacheFiles(dist);
    const paths = allCaches(listing).map((f) => join(cacheDir(dist), f));
    for (const path of paths) writeFileSync(path, bad);
    const started = await firstCall(dist, {}, 'off');
    expectListed(started);
    expect(started.stderr).not.toMatch(/failed to start/);
    expect(cacheFiles(dist)).toEqual(listing); // no temporary file left behind
    for (const path of paths) {
      expect(readFileSync(path).equals(bad), path).toBe(false);
      expect(statSync(path).size).toBeGreaterThan(10_000);
    }
    await expectPublishedFromFile(started, 'off');
  });

  it('a cache belongs to one build of the server script: its name carries the script\'s hash', () => {
    // V8 checks a cache against the source's length only; another build of the same length must not use it.
    const hash = createHash('sha256').update(readFileSync(join(DIST, 'server.script.js'))).digest('hex').slice(0, 16);
    expect(mainCaches(cacheFiles(DIST)).some((f) => f.startsWith(`${hash}-${process.version}-${process.arch}-`))).toBe(true);
    expect(mainCaches(cacheFiles(DIST)).every((f) => f.startsWith(`${hash}-`))).toBe(true);
    expect(readFileSync(SERVER_ENTRY, 'utf8')).toContain(hash);
  });

  it('a bundle\'s cache belongs to one build of it: its name carries the bundle\'s hash', () => {
    for (const group of LAZY_GROUPS) {
      const hash = createHash('sha256').update(readFileSync(join(DIST, 'lazy', `${group}.cjs`))).digest('hex').slice(0, 16);
      expect(cacheFiles(DIST).filter((f) => f.startsWith(`lazy-${group}-`))).toEqual([`lazy-${group}-${hash}-${process.version}-${process.arch}-${lazyCache(cacheFiles(DIST), group)!.split('-').pop()}`]);
      expect(readFileSync(SERVER_ENTRY, 'utf8')).toContain(hash);
    }
  });

  it('the idle collections leave V8\'s flags as they found them: a code cache made after them is one a fresh start accepts', async () => {
    // A bundle first loaded after the server went idle writes its cache when the process exits, after
    // the collections (src/idle-gc.ts), which expose gc() through a V8 flag. V8 stamps a cache with a
    // hash of its flags: made with that flag still on, every later start would reject it.
    const idleGc = transformSync(readFileSync(new URL('../../src/idle-gc.ts', import.meta.url), 'utf8'), { loader: 'ts', format: 'cjs' }).code;
    const script = JSON.stringify('(function () { return 6 * 7; })');
    const env = { PATH: process.env.PATH ?? '' };
    // One fresh Node makes a cache, runs a series of collections as an idle server does, and makes another.
    const made = await runProcess(process.execPath, ['-e', `
      const idleGc = { exports: {} };
      (function (module, exports) { ${idleGc} })(idleGc, idleGc.exports);
      const cache = () => new (require('node:vm').Script)(${script}).createCachedData().toString('base64');
      const before = cache();
      idleGc.exports.fullCollection(false);
      idleGc.exports.fullCollection(true);
      process.stdout.write(JSON.stringify([before, cache()]));
    `], { env, timeoutMs: 20_000 });
    expect(made.status, made.stderr).toBe(0);
    // Another fresh Node, as the next start, uses both.
    const used = await runProcess(process.execPath, ['-e', `
      const caches = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      process.stdout.write(JSON.stringify(caches.map((c) => new (require('node:vm').Script)(${script}, { cachedData: Buffer.from(c, 'base64') }).cachedDataRejected)));
    `], { env, input: made.stdout, timeoutMs: 20_000 });
    expect(used.status, used.stderr).toBe(0);
    expect(JSON.parse(used.stdout)).toEqual([false, false]);
  });
});
