// What the load benches share: a scratch folder with an isolated HOME and a consent key, node
// children started and stopped, the test helpers (nginx, PostgreSQL, the OpenID provider) loaded
// from their TypeScript, and the loop that drives MCP clients for a measured window.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER = join(ROOT, 'dist', 'index.js');
export const SIMULATOR = join(ROOT, 'dist', 'simulator.js');

/** The p-th percentile of sorted numbers (NaN when there are none). */
export const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/** A temporary folder with an empty HOME and a consent key file (0600) every replica shares. */
export function benchScratch(prefix) {
  const tmp = mkdtempSync(join(os.tmpdir(), prefix));
  const home = join(tmp, 'home');
  mkdirSync(home);
  const keyFile = join(tmp, 'consent.key');
  writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`);
  chmodSync(keyFile, 0o600);
  return { tmp, home, keyFile };
}

export function isolatedEnv(home, extra = {}) {
  return {
    PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
    ...extra,
  };
}

/** Spawns a node child and resolves once its stderr matches `ready`; keeps draining stderr after. */
export function spawnUntil(args, env, ready) {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let done = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${args.join(' ')}: not ready in 20 s\n${err}`)); }, 20_000);
    child.stderr.on('data', (d) => {
      if (done) return; // drained, not kept
      err += d.toString();
      const m = ready.exec(err);
      if (m) { done = true; clearTimeout(timer); resolveP({ child, match: m }); }
    });
    child.once('exit', (code) => { if (!done) { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited (${code}) before ready\n${err}`)); } });
  });
}

export function stopChild(child, signal = 'SIGTERM') {
  return new Promise((resolveP) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveP();
    const kill = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.once('exit', () => { clearTimeout(kill); resolveP(); });
    child.kill(signal);
  });
}

/**
 * The test helpers named (test/helpers/<name>.ts), bundled to plain ESM beside the repository's
 * node_modules (so their packages resolve) and imported. `dispose()` removes the bundles.
 */
export async function importTestHelpers(names) {
  const { build } = await import('esbuild');
  const helpers = {};
  const files = [];
  try {
    for (const name of names) {
      const out = join(ROOT, 'bench', `.${name}-helper-${process.pid}.mjs`);
      files.push(out);
      await build({ entryPoints: [join(ROOT, 'test', 'helpers', `${name}.ts`)], outfile: out, bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
      helpers[name] = await import(pathToFileURL(out).href);
    }
  } finally {
    // Node has what it imported: the files are not needed once loaded.
    for (const f of files) rmSync(f, { force: true });
  }
  return helpers;
}

/**
 * Each client loops, calling `next(clientIndex, callIndex)` ({ name, args, group? }) until the window
 * ends. Calls started in the warm-up are made but not counted. Latencies (ms, sorted) are kept per
 * group ("all" when none), errors by kind; `onWindowStart` runs when the measured window opens.
 */
export async function drive(clients, next, { warmupMs, windowMs, onWindowStart = () => {} }) {
  const lat = {};
  const errors = new Map();
  const measureFrom = performance.now() + warmupMs;
  const until = measureFrom + windowMs;
  let started = false;
  const startTimer = setTimeout(() => { started = true; onWindowStart(); }, warmupMs);
  let n = 0;
  await Promise.all(clients.map(async (client, ci) => {
    let i = ci;
    while (performance.now() < until) {
      const c = next(i++, n++);
      const s = performance.now();
      let kind;
      try {
        const r = await client.callTool({ name: c.name, arguments: c.args });
        if (r.isError) kind = `${c.name}: ${String(r.structuredContent?.Error?.Code ?? '')} ${String(r.structuredContent?.Error?.Message ?? r.content?.[0]?.text ?? '').slice(0, 160)}`;
      } catch (e) {
        const msg = String(e?.message ?? e);
        kind = (/"message":"([^"]{1,80})/.exec(msg)?.[1] ?? msg).slice(0, 80);
      }
      const e = performance.now();
      if (s < measureFrom || e > until) continue;
      if (kind) errors.set(kind, (errors.get(kind) ?? 0) + 1);
      else (lat[c.group ?? 'all'] ??= []).push(e - s);
    }
  }));
  clearTimeout(startTimer);
  if (!started) onWindowStart();
  for (const l of Object.values(lat)) l.sort((a, b) => a - b);
  const calls = Object.values(lat).reduce((a, l) => a + l.length, 0) + [...errors.values()].reduce((a, b) => a + b, 0);
  return { lat, errors, rps: calls / (windowMs / 1000) };
}
