#!/usr/bin/env node
// Shared-record load: CLIENTS concurrent MCP clients (default 50) through nginx to three replicas
// (`dist/index.js --http`), for SECONDS (default 15) each, twice: with each replica's own ledger
// file (the default), and with the PostgreSQL shared record (SWAS_MCP_DATABASE_URL; Debian's
// PostgreSQL started on a temporary data directory, fsync on, as a server would run). The mix is
// what an agent reads most plus a share of writes (1 call in WRITE_EVERY, default 5: a tag
// overwrite on one image, so every write is a real TagResources with an intent and an outcome row).
// Consent is off: the figure is the record's cost, not a person's.
// Reports calls/s, p50/p99 of reads and of writes, and errors, side by side, and their ratios.
// Auth: OAuth, as a team runs it: every client holds its own JWT access token (client credentials
// from a real oidc-provider on loopback), verified by the replicas against the issuer's JWKS.
// Run alone: `node bench/record-load.mjs` (after `npm run build`); `npm run bench` calls runRecordLoad().
// Env: BENCH_HTTP_CLIENTS, BENCH_RECORD_SECONDS, BENCH_RECORD_WRITE_EVERY. Needs nginx and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isolatedEnv, spawnUntil, stopChild } from './http-load.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist', 'index.js');
const SIMULATOR = join(ROOT, 'dist', 'simulator.js');
const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

/** Each client loops over the mix until the window ends; latencies of reads and writes apart. */
async function drive(clients, mix, warmupMs, windowMs) {
  const lat = { read: [], write: [] };
  const errors = new Map();
  const measureFrom = performance.now() + warmupMs;
  const until = measureFrom + windowMs;
  let n = 0;
  await Promise.all(clients.map(async (client, ci) => {
    let i = ci;
    while (performance.now() < until) {
      const c = mix(i++, n++);
      const s = performance.now();
      let kind;
      try {
        const r = await client.callTool({ name: c.name, arguments: c.args });
        if (r.isError) kind = `${c.name}: ${String(r.structuredContent?.Error?.Code ?? '')} ${String(r.structuredContent?.Error?.Message ?? r.content?.[0]?.text ?? '').slice(0, 160)}`;
      } catch (e) { kind = String(e?.message ?? e).slice(0, 80); }
      const e = performance.now();
      if (s < measureFrom || e > until) continue;
      if (kind) errors.set(kind, (errors.get(kind) ?? 0) + 1);
      else lat[c.write ? 'write' : 'read'].push(e - s);
    }
  }));
  for (const l of Object.values(lat)) l.sort((a, b) => a - b);
  const all = lat.read.length + lat.write.length + [...errors.values()].reduce((a, b) => a + b, 0);
  return { lat, errors, rps: all / (windowMs / 1000), writesPerS: lat.write.length / (windowMs / 1000) };
}

export async function runRecordLoad({
  clients = Number(process.env.BENCH_HTTP_CLIENTS ?? 50), seconds = Number(process.env.BENCH_RECORD_SECONDS ?? 15),
  writeEvery = Number(process.env.BENCH_RECORD_WRITE_EVERY ?? 5), log = console.log,
} = {}) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'swas-record-bench-'));
  const cleanupsFiles = [];
  const home = join(tmp, 'home');
  mkdirSync(home);
  const keyFile = join(tmp, 'consent.key');
  writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`);
  chmodSync(keyFile, 0o600);
  const { build } = await import('esbuild');
  const helpers = {};
  for (const name of ['nginx', 'postgres', 'oidc']) {
    const out = join(ROOT, 'bench', `.${name}-helper-${process.pid}.mjs`); // beside the repo's node_modules, for the helpers' packages
    await build({ entryPoints: [join(ROOT, 'test', 'helpers', `${name}.ts`)], outfile: out, bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
    cleanupsFiles.push(out);
    helpers[name] = await import(pathToFileURL(out).href);
  }
  const { startNginx, freePort } = helpers.nginx;
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const results = {};
  const cleanups = [];
  try {
    const sim = await spawnUntil([SIMULATOR, '--port', '0', '--seed', 'demo'], isolatedEnv(home), /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    cleanups.push(() => stopChild(sim.child));
    const db = await helpers.postgres.startPostgres({ durable: true });
    cleanups.push(() => db.stop());
    const audience = 'https://swas.bench.test/mcp';
    const op = await helpers.oidc.startOidcProvider({ resource: audience, agents: ['bench-agent'] });
    cleanups.push(() => op.stop());
    const bearer = await op.token({ clientId: 'bench-agent', scopes: ['swas:read', 'swas:write'] });

    const run = async (label, extra) => {
      const replicas = [];
      const stops = [];
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const r = await spawnUntil([SERVER, '--http', `127.0.0.1:${port}`], isolatedEnv(home, {
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'sim-access-key-id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sim-access-key-secret',
          ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_ENDPOINT: sim.match[1], SWAS_MCP_CONSENT: 'off',
          SWAS_MCP_CONSENT_KEY_FILE: keyFile, LOG_LEVEL: 'info', ...extra(i),
          SWAS_MCP_OAUTH_ISSUER: op.issuer, SWAS_MCP_OAUTH_AUDIENCE: audience, SWAS_MCP_PUBLIC_URL: audience,
        }), /ready on HTTP/);
        stops.push(() => stopChild(r.child));
        replicas.push(`127.0.0.1:${port}`);
      }
      const nginx = await startNginx(replicas);
      stops.push(() => nginx.stop());
      try {
        const connect = async (i) => {
          const c = new Client({ name: `bench-${i}`, version: '1.0.0' });
          await c.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
          return c;
        };
        const cs = await Promise.all(Array.from({ length: clients }, (_, i) => connect(i)));
        const images = (await cs[0].callTool({ name: 'list_custom_images', arguments: { RegionId: 'cn-hangzhou' } })).structuredContent?.Images ?? [];
        const own = images.find((m) => m.Owner !== 'Others' && m.Status === 'Available') ?? images[0];
        if (!own) throw new Error('list_custom_images returned no image to tag');
        const reads = [
          { name: 'list_instances', args: {} },
          { name: 'list_custom_images', args: { RegionId: 'cn-hangzhou' } },
          { name: 'list_snapshots', args: { RegionId: 'cn-hangzhou' } },
        ];
        const mix = (i, n) => (n % writeEvery === writeEvery - 1
          ? { name: 'tag_custom_images', args: { RegionId: 'cn-hangzhou', ImageIds: [own.ImageId], Tag: [{ Key: 'bench', Value: `${label}-${n}` }] }, write: true }
          : reads[i % reads.length]);
        results[label] = await drive(cs, mix, 1000, seconds * 1000);
        await Promise.all(cs.map((c) => c.close().catch(() => undefined)));
      } finally {
        for (const s of stops.reverse()) await s();
      }
    };
    await run('ledger file per replica', (i) => ({ SWAS_MCP_AUDIT_LOG: join(tmp, `audit-${i}.jsonl`) }));
    await run('PostgreSQL shared record', () => ({ SWAS_MCP_DATABASE_URL: db.url }));
  } finally {
    for (const c of cleanups.reverse()) await c();
    for (const f of cleanupsFiles) rmSync(f, { force: true });
  }

  log(`\nShared-record load: ${clients} clients through nginx to 3 replicas, ${seconds} s each, mixed reads plus 1 write in ${writeEvery} (tag overwrite), consent off, JWT access tokens verified by every replica, ${os.cpus().length} cores`);
  log('| ledger | calls/s | writes/s | read p50 | read p99 | write p50 | write p99 | errors |');
  log('|---|---|---|---|---|---|---|---|');
  const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');
  for (const [label, r] of Object.entries(results)) {
    const errs = [...r.errors.values()].reduce((a, b) => a + b, 0);
    log(`| ${label} | ${r.rps.toFixed(0)} | ${r.writesPerS.toFixed(1)} | ${f(pct(r.lat.read, 50))} | ${f(pct(r.lat.read, 99))} | ${f(pct(r.lat.write, 50))} | ${f(pct(r.lat.write, 99))} | ${errs} |`);
    for (const [kind, n] of r.errors) log(`  ${label}: ${n} × ${kind}`);
  }
  const [file, pg] = [results['ledger file per replica'], results['PostgreSQL shared record']];
  if (file && pg) {
    log(`PostgreSQL / file: calls/s ${(pg.rps / file.rps).toFixed(2)}x, write p50 ${(pct(pg.lat.write, 50) / pct(file.lat.write, 50)).toFixed(2)}x, read p50 ${(pct(pg.lat.read, 50) / pct(file.lat.read, 50)).toFixed(2)}x`);
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runRecordLoad().catch((e) => { console.error(`record-load failed: ${e?.stack ?? e}`); process.exit(1); });
}
