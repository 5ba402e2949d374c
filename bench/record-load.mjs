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
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchScratch, drive, importTestHelpers, isolatedEnv, pct, SERVER, SIMULATOR, spawnUntil, stopChild } from './load-kit.mjs';

export async function runRecordLoad({
  clients = Number(process.env.BENCH_HTTP_CLIENTS ?? 50), seconds = Number(process.env.BENCH_RECORD_SECONDS ?? 15),
  writeEvery = Number(process.env.BENCH_RECORD_WRITE_EVERY ?? 5), log = console.log,
} = {}) {
  const { tmp, home, keyFile } = benchScratch('swas-record-bench-');
  const helpers = await importTestHelpers(['nginx', 'postgres', 'oidc']);
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
          ? { name: 'tag_custom_images', args: { RegionId: 'cn-hangzhou', ImageIds: [own.ImageId], Tag: [{ Key: 'bench', Value: `${label}-${n}` }] }, group: 'write' }
          : { ...reads[i % reads.length], group: 'read' });
        const r = await drive(cs, mix, { warmupMs: 1000, windowMs: seconds * 1000 });
        r.lat.read ??= [];
        r.lat.write ??= [];
        r.writesPerS = r.lat.write.length / seconds;
        results[label] = r;
        await Promise.all(cs.map((c) => c.close().catch(() => undefined)));
      } finally {
        for (const s of stops.reverse()) await s();
      }
    };
    await run('ledger file per replica', (i) => ({ SWAS_MCP_AUDIT_LOG: join(tmp, `audit-${i}.jsonl`) }));
    await run('PostgreSQL shared record', () => ({ SWAS_MCP_DATABASE_URL: db.url }));
  } finally {
    for (const c of cleanups.reverse()) await c();
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
