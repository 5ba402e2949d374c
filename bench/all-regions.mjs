#!/usr/bin/env node
// Part of `npm run bench` (and runnable alone): what `RegionId: "all"` costs. With 100 ms of
// injected latency on every simulator request, list_instances over every region is timed beside
// the same list for one region, for 6 and for 24 regions. "All" should cost about two waves of
// round trips (ListRegions, then the regions in parallel) whatever the number of regions.
// Loopback only; bounded runs.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OURS = join(ROOT, 'dist', 'index.js');
const LATENCY_MS = 100;
const RUNS = Number(process.env.BENCH_REGION_RUNS ?? 5);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Requests whose handling overlapped in time form one wave; waves are sequential. */
function waves(requests) {
  const sorted = [...requests].sort((a, b) => a.time - b.time);
  let count = 0; let end = -Infinity;
  for (const r of sorted) {
    if (r.time >= end) { count++; end = r.time + r.ms; } else end = Math.max(end, r.time + r.ms);
  }
  return count;
}

export async function runAllRegions({ log = console.log } = {}) {
  if (!existsSync(OURS)) throw new Error('dist/index.js is missing: npm run build');
  const tmp = mkdtempSync(join(os.tmpdir(), 'swas-bench-regions-'));
  const { build } = await import('esbuild');
  const simFile = join(tmp, 'simulator.mjs');
  await build({ entryPoints: [join(ROOT, 'src', 'simulator', 'index.ts')], outfile: simFile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  const { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator } = await import(pathToFileURL(simFile).href);
  const { Client } = await import('@modelcontextprotocol/client');
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');

  const rows = [];
  for (const regionCount of [6, 24]) {
    const sim = await startSimulator({ latencyMs: LATENCY_MS });
    for (let i = sim.state.regions().length; i < regionCount; i++) {
      sim.state.addRegion({ regionId: `xx-bench-${i}`, localName: `bench ${i}`, localNameEn: `bench ${i}` });
    }
    const client = new Client({ name: 'bench-regions', version: '1' });
    await client.connect(new StdioClientTransport({
      command: process.execPath, args: [OURS], stderr: 'ignore',
      env: {
        PATH: process.env.PATH ?? '', HOME: tmp, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', LOG_LEVEL: 'warn', SWAS_MCP_AUDIT_LOG: 'off',
        ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
        SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
      },
    }));
    const one = []; const all = []; const allWaves = [];
    for (let run = 0; run <= RUNS; run++) {
      let t = performance.now();
      await client.callTool({ name: 'list_instances', arguments: { RegionId: 'cn-hangzhou' } });
      const oneMs = performance.now() - t;
      sim.stats.reset();
      t = performance.now();
      const res = await client.callTool({ name: 'list_instances', arguments: { RegionId: 'all' } });
      const allMs = performance.now() - t;
      if (res.isError) throw new Error(`list_instances all failed: ${JSON.stringify(res.content)}`);
      if (run === 0) continue; // warm-up
      one.push(oneMs); all.push(allMs);
      allWaves.push(waves(sim.stats.requests().map((r) => ({ time: r.time, ms: r.ms ?? LATENCY_MS }))));
    }
    await client.close();
    await sim.stop();
    rows.push({ regions: regionCount, oneMs: median(one), allMs: median(all), waves: median(allWaves) });
  }
  log('\nRegionId "all" (list_instances, 100 ms injected latency per API request, median of runs):');
  log('| regions | one region | all regions | ratio | waves of requests |');
  log('|---|---|---|---|---|');
  for (const r of rows) log(`| ${r.regions} | ${r.oneMs.toFixed(0)} ms | ${r.allMs.toFixed(0)} ms | ${(r.allMs / r.oneMs).toFixed(2)} | ${r.waves} |`);
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAllRegions().catch((err) => { console.error(err); process.exit(1); });
}
