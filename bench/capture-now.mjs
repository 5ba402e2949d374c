#!/usr/bin/env node
// Part of `npm run bench` (and runnable alone): what "make an image of my server as it is now" costs
// an agent, from its first call to the image Available, on the simulator's realistic profile (a
// 50 GiB system disk and a 100 GiB data disk: snapshots of 7 and 12 minutes, an image of 18).
// Counted: the tool calls the agent makes and the waves of writes at the API (writes overlapping in
// time form one wave). Beside it, today's path: create_snapshot for each disk, wait, then
// create_custom_image naming both, wait. Time runs SCALE (50) times faster, and so does the bound of
// one call's wait (50 s → 1 s: wait_for_resources with TimeoutSeconds 1, the create tools'
// SWAS_MCP_WAIT_TIMEOUT_MS 1000), so the counts are those of real time. 20 ms of latency on each
// request lets writes sent together overlap. Loopback only.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OURS = join(ROOT, 'dist', 'index.js');
const SCALE = 50;
const CALL_WAIT_MS = 1_000;
const MAX_CALLS = 120;

/** Writes whose handling overlapped in time form one wave. */
function writeWaves(requests) {
  const writes = requests.filter((r) => r.action.startsWith('Create')).sort((a, b) => a.time - b.time);
  const out = [];
  let end = -Infinity;
  for (const r of writes) {
    if (out.length === 0 || r.time >= end) out.push([]);
    out[out.length - 1].push(r.action);
    end = Math.max(end, r.end ?? r.time);
  }
  return out;
}

export async function runCaptureNow({ log = console.log } = {}) {
  if (!existsSync(OURS)) throw new Error('dist/index.js is missing: npm run build');
  const tmp = mkdtempSync(join(os.tmpdir(), 'swas-bench-capture-'));
  const { build } = await import('esbuild');
  const simFile = join(tmp, 'simulator.mjs');
  await build({ entryPoints: [join(ROOT, 'src', 'simulator', 'index.ts')], outfile: simFile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  const { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator } = await import(pathToFileURL(simFile).href);
  const { Client } = await import('@modelcontextprotocol/client');
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');

  async function session(path) {
    const sim = await startSimulator({ profile: 'realistic', timeScale: SCALE });
    const record = sim.stats.record.bind(sim.stats);
    sim.stats.record = (entry) => record({ ...entry, end: Date.now() });
    sim.faults.latencyMs = 20;
    const server = sim.state.addInstance({ regionId: DEMO.region, instanceName: 'shop-prod', systemDisk: { size: 50 }, dataDisks: [{ size: 100 }] });
    const data = server.disks.find((d) => d.diskType === 'data');
    const transport = new StdioClientTransport({
      command: process.execPath, args: [OURS], stderr: 'ignore',
      env: {
        PATH: process.env.PATH ?? '', HOME: tmp, USERPROFILE: tmp, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
        ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
        SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'warn',
        SWAS_MCP_WAIT_TIMEOUT_MS: String(CALL_WAIT_MS), SWAS_MCP_POLL_INTERVAL_MS: String(Math.max(10, Math.round(1_000 / SCALE))),
      },
    });
    const client = new Client({ name: 'bench-capture', version: '1.0.0' });
    await client.connect(transport);
    let calls = 0;
    const distinct = new Set();
    const tool = async (name, args) => {
      calls++;
      distinct.add(`${name} ${JSON.stringify(args)}`);
      if (calls > MAX_CALLS) throw new Error(`capture bench: more than ${MAX_CALLS} calls`);
      const res = await client.callTool({ name, arguments: args });
      if (res.isError) throw new Error(`${name}: ${res.content?.[0]?.text?.slice(0, 300)}`);
      return res.structuredContent;
    };
    const t0 = sim.state.now?.() ?? Date.now();
    try {
      const R = DEMO.region;
      if (path === 'now') {
        const args = { RegionId: R, InstanceId: server.instanceId, ImageName: 'shop-now', WaitForAvailable: true };
        let out = await tool('create_custom_image', args);
        while (out.Operation.State !== 'Done') out = await tool('create_custom_image', args);
      } else {
        const sys = await tool('create_snapshot', { RegionId: R, InstanceId: server.instanceId, SnapshotName: 'shop-sys', WaitForAccomplished: true });
        const dat = await tool('create_snapshot', { RegionId: R, DiskId: data.diskId, SnapshotName: 'shop-data', WaitForAccomplished: true });
        const snaps = { RegionId: R, SnapshotIds: [sys.SnapshotId, dat.SnapshotId] };
        while (![sys, dat].every((s) => s.Status === 'accomplished')) {
          const w = await tool('wait_for_resources', { ...snaps, TimeoutSeconds: 1 });
          if (w.AllDone) break;
        }
        const image = await tool('create_custom_image', { RegionId: R, InstanceId: server.instanceId, ImageName: 'shop-today', SystemSnapshotId: sys.SnapshotId, DataSnapshotId: dat.SnapshotId, WaitForAvailable: true });
        if (image.Status !== 'Available') {
          for (;;) if ((await tool('wait_for_resources', { RegionId: R, ImageIds: [image.ImageId], TimeoutSeconds: 1 })).AllDone) break;
        }
      }
      const simulatedMin = ((Date.now() - t0) * SCALE) / 60_000;
      return { calls, distinct: distinct.size, waves: writeWaves(sim.stats.requests()), simulatedMin };
    } finally {
      await client.close().catch(() => undefined);
      await sim.stop();
    }
  }

  const now = await session('now');
  const today = await session('today');
  log('');
  log('capture-now, first call → image Available (realistic profile, 50 + 100 GiB disks, one call waits ≤ 50 s, an agent calling back at once):');
  const row = (label, r) => log(`  ${label.padEnd(48)} ${String(r.calls).padStart(3)} calls (${r.distinct} different), ${r.waves.length} write waves (${r.waves.map((w) => w.join('+')).join(' → ')}), ~${r.simulatedMin.toFixed(0)} simulated min`);
  row('create_custom_image (capture now, repeated)', now);
  row('today: create_snapshot ×2, wait, create, wait', today);
  log(`  target: the snapshot wave and the create wave, nothing more → ${now.waves.length === 2 ? 'ok' : 'MISS'}`);
  return { now, today };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runCaptureNow();
}
