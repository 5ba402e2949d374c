#!/usr/bin/env node
// `npm run bench`: performance figures of swas-image-mcp, each beside a baseline, in one run.
//
//   1. spawn → initialize answer: our dist/index.js vs bench/minimal-server.mjs (SDK + one zod tool),
//      interleaved run by run, median of RUNS (21) after one discarded warm-up each.      target ratio ≤ 0.6
//      BENCH_ONLY=startup runs this section alone (BENCH_ONLY=memory: steps 2 and 5; BENCH_ONLY=create: 3 and 4); BENCH_STARTUP_ALSO=<other dist/index.js> adds
//      another build to the same interleaved runs.
//   2. RSS after initialize + tools/list, sampled 0.5 s later (start-up garbage still held) and
//      20 s later, once idle: V8's memory reducer hands back the young generation it grew during
//      start-up 8 or 16 s into an idle period (Linux /proc).                          target ≤ 60 MB idle
//   3. one create through MCP (SDK Client → stdio → our server → simulator with 100 ms injected
//      latency per request) vs the same CreateCustomImage made directly with the official SDK
//      against the same simulator, interleaved, median of CREATES.                    target ratio ≤ 2.3
//   4. API round trips on the critical path of one MCP create, measured at the simulator: requests
//      whose handling overlapped in time form one "wave"; waves are sequential.
//   5. RSS after a burst of 1,000 calls (10 in flight: the three reads, a dry-run create, tools/list;
//      the minimal server: echo and tools/list), 0.5 s, 20 s and 60 s after the last answer, beside
//      the same process's RSS before the burst (bench/burst-memory.mjs; runs beside step 2).
//   6. RegionId "all" (bench/all-regions.mjs): list_instances over 6 and 24 regions beside one
//      region's list, 100 ms injected latency: the waves of round trips and the ratio.   ≈ 2 waves
//   7. HTTP load (bench/http-load.mjs): 50 clients through nginx to three replicas, one replica
//      direct, and stdio; skipped with BENCH_HTTP=0 or when nginx is missing.
//   7b. shared-record load (bench/record-load.mjs): the same 50 clients through nginx, reads plus a
//      share of writes, with each replica's ledger file beside the PostgreSQL shared record.
//   8. capture now (bench/capture-now.mjs): first call to image Available on the realistic profile, as
//      the calls an agent makes and the waves of writes, beside create_snapshot ×2, wait, create, wait.
//   9. MCP App views (bench/app-views.mjs): each view's page size, bytes and gzip.
//
// Everything runs on 127.0.0.1; spawned servers get an isolated HOME and no metadata service.
// Exit code 0 even when a target is missed (misses are marked MISS); 1 only if the bench itself fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OURS = join(ROOT, 'dist', 'index.js');
const MINIMAL = join(ROOT, 'bench', 'minimal-server.mjs');
/** Reference floor: bare node answering every request with an empty result, no imports. */
const BARE = 'bare-node';
const BARE_CODE = `let b = ''; process.stdin.on('data', (d) => { b += d; let i; while ((i = b.indexOf('\\n')) >= 0) {
  const m = JSON.parse(b.slice(0, i)); b = b.slice(i + 1);
  if (m.id !== undefined) process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {} }) + '\\n'); } });`;
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const CREATES = Number(process.env.BENCH_CREATES ?? 10);
const LATENCY_MS = 100;
const TARGET = { startupRatio: 0.6, rssMb: 55, createRatio: 2.3, burstRatio60s: 1.3 };

const tmp = mkdtempSync(join(os.tmpdir(), 'swas-bench-'));
const HOME = join(tmp, 'home');

/** Environment of every spawned server: nothing of the developer's, nothing leaves 127.0.0.1. */
function benchEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME,
    USERPROFILE: HOME,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
    ...extra,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (x) => `${x.toFixed(0)} ms`;

// ---------- setup: build if needed, bundle the simulator (plain node cannot import .ts) ----------

if (!existsSync(OURS)) {
  console.error('bench: dist/index.js missing, building');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const { build } = await import('esbuild');
const simFile = join(tmp, 'simulator.mjs');
await build({
  entryPoints: [join(ROOT, 'src', 'simulator', 'index.ts')],
  outfile: simFile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
});
const simLib = await import(pathToFileURL(simFile).href);
const { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator } = simLib;
const { burstRss, oursCallMix, minimalCallMix, BURST_CALLS, SETTLE_SAMPLES_S } = await import('./burst-memory.mjs');
const { Client } = await import('@modelcontextprotocol/client');
const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
const swasMod = (await import('@alicloud/swas-open20200601')).default;
const { $OpenApiUtil } = await import('@alicloud/openapi-core');

// ---------- 1 + 2: startup and idle RSS, raw JSON-RPC over the child's stdio ----------

const INIT = `${JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
})}\n`;

/** Spawns `file`, sends initialize at once, resolves when the first stdout line arrives. */
function startAndInitialize(file) {
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    const args = file === BARE ? ['-e', BARE_CODE] : [file];
    const child = spawn(process.execPath, args, { env: benchEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let errTail = '';
    child.stderr.on('data', (d) => { errTail = (errTail + d.toString()).slice(-2000); }); // drain, as a host does
    let buf = '';
    let answered = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${file}: no initialize answer in 15 s`)); }, 15_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      if (answered) return;
      clearTimeout(timer);
      reject(new Error(`${file}: exited (${code ?? signal}) before answering initialize\n${errTail}`));
    });
    child.stdout.on('data', function onData(d) {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const ms = performance.now() - t0;
      answered = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const msg = JSON.parse(line);
        if (msg.id !== 1 || !msg.result) throw new Error(line);
      } catch (e) {
        child.kill('SIGKILL');
        reject(new Error(`${file}: first stdout line is not the initialize answer: ${String(e.message ?? e).slice(0, 200)}`));
        return;
      }
      resolveP({ child, ms, rest: () => buf, setRest: (b) => { buf = b; } });
    });
    child.stdin.write(INIT);
  });
}

function stop(child) {
  return new Promise((resolveP) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveP();
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => { clearTimeout(kill); resolveP(); });
    child.stdin.end();
    setTimeout(() => child.kill('SIGTERM'), 1_000).unref();
  });
}

async function startupOnce(file) {
  const { child, ms } = await startAndInitialize(file);
  await stop(child);
  return ms;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

/**
 * The process's own memory (anonymous pages: heap, stacks, malloc). RSS also counts the node
 * binary's file pages, shared with every node process, and how many of those a process maps
 * depends on what else runs on the machine (the page cache): bare node is 40 MB RSS here, of
 * which 34 MB is shared binary.
 */
function anonMb(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Anonymous:\s+(\d+)\s+kB/m.exec(rollup)?.[1]) / 1024;
}

// V8's memory reducer checks every 8 s whether the process is idle, and then hands back the young
// generation grown during start-up; by 20 s it has had two chances (seen here: all samples settle by 16 s).
const IDLE_SAMPLES_MS = [500, 20_000];

/** initialize, notifications/initialized, tools/list, then VmRSS 0.5 s and 20 s later. */
async function idleRss(file) {
  const { child } = await startAndInitialize(file);
  try {
    let buf = '';
    const listed = new Promise((resolveP, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file}: no tools/list answer`)), 10_000);
      child.stdout.on('data', (d) => {
        buf += d.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          if (JSON.parse(line).id === 2) { clearTimeout(timer); resolveP(); }
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} })}\n`);
    await listed;
    const listedAt = performance.now();
    const samples = [];
    for (const at of IDLE_SAMPLES_MS) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - (performance.now() - listedAt))));
      samples.push(rssMb(child.pid));
    }
    return { afterList: samples[0], idle: samples[1], idleAnon: anonMb(child.pid) };
  } finally {
    await stop(child);
  }
}

// ---------- 3 + 4: create latency and round-trip waves ----------

/** Groups requests whose [arrival, answered] intervals overlap; returns the sequential waves. */
function waves(requests) {
  const sorted = [...requests].sort((a, b) => a.time - b.time);
  const out = [];
  let end = -Infinity;
  for (const r of sorted) {
    if (out.length === 0 || r.time >= end) out.push([]);
    out[out.length - 1].push(r);
    end = Math.max(end, r.end ?? r.time);
  }
  return out;
}

async function createBench() {
  const sim = await startSimulator({ imageReadyMs: 60_000 });
  // Answer time of every request (the simulator logs arrival only; record() runs after the answer).
  const record = sim.stats.record.bind(sim.stats);
  sim.stats.record = (entry) => record({ ...entry, end: Date.now() });
  sim.faults.latencyMs = LATENCY_MS;

  const transport = new StdioClientTransport({
    command: process.execPath, args: [OURS], stderr: 'pipe',
    env: benchEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
      SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, LOG_LEVEL: 'info',
    }),
  });
  transport.stderr?.resume();
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);

  const sdk = new swasMod.default(new $OpenApiUtil.Config({
    accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET,
    endpoint: sim.endpoint, protocol: 'HTTP', regionId: DEMO.region, readTimeout: 10_000, connectTimeout: 2_000,
  }));

  const base = { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId };
  const stamp = Date.now().toString(36);

  async function viaMcp(name) {
    const t0 = performance.now();
    const res = await client.callTool({ name: 'create_custom_image', arguments: { ...base, ImageName: name } });
    const ms = performance.now() - t0;
    if (res.isError) throw new Error(`MCP create failed: ${res.content?.[0]?.text?.slice(0, 300)}`);
    sim.state.removeImage(res.structuredContent.ImageId); // keep the quota free
    return ms;
  }
  async function viaSdk(name) {
    const t0 = performance.now();
    const res = await sdk.createCustomImage(new swasMod.CreateCustomImageRequest({
      regionId: base.RegionId, instanceId: base.InstanceId, systemSnapshotId: base.SystemSnapshotId, imageName: name,
    }));
    const ms = performance.now() - t0;
    sim.state.removeImage(res.body.imageId);
    return ms;
  }

  try {
    await viaMcp(`bench-mcp-warm-${stamp}`); // warm-up: lazy SDK load, connections
    await viaSdk(`bench-sdk-warm-${stamp}`);
    const mcp = [];
    const direct = [];
    for (let i = 0; i < CREATES; i++) {
      if (i % 2 === 0) { mcp.push(await viaMcp(`bench-mcp-${stamp}-${i}`)); direct.push(await viaSdk(`bench-sdk-${stamp}-${i}`)); }
      else { direct.push(await viaSdk(`bench-sdk-${stamp}-${i}`)); mcp.push(await viaMcp(`bench-mcp-${stamp}-${i}`)); }
    }

    sim.stats.reset();
    await viaMcp(`bench-mcp-waves-${stamp}`);
    const mcpWaves = waves(sim.stats.requests());
    sim.stats.reset();
    await viaSdk(`bench-sdk-waves-${stamp}`);
    const sdkWaves = waves(sim.stats.requests());
    return { mcp, direct, mcpWaves, sdkWaves };
  } finally {
    await client.close().catch(() => undefined);
    await sim.stop();
  }
}

// ---------- run ----------

const started = performance.now();
try {
  // BENCH_ONLY=memory: steps 2 and 5 alone (idle RSS and the bursts, side by side), without start-up or create.
  const memoryOnly = process.env.BENCH_ONLY === 'memory';
  // BENCH_ONLY=create: step 3 (and 4) alone.
  const createOnly = process.env.BENCH_ONLY === 'create';
  // Startup: one warm-up each (discarded), then RUNS interleaved pairs, alternating who goes first.
  if (!memoryOnly && !createOnly) await startupOnce(OURS);
  if (!memoryOnly && !createOnly) { await startupOnce(MINIMAL); await startupOnce(BARE); }
  const ours = [];
  const minimal = [];
  const bare = [];
  // BENCH_STARTUP_ALSO=<path to another build's dist/index.js>: measured in the same interleaved runs
  // (before/after under the same conditions on a noisy machine).
  const also = process.env.BENCH_STARTUP_ALSO ? resolve(process.env.BENCH_STARTUP_ALSO) : undefined;
  const alsoRuns = [];
  if (also) await startupOnce(also);
  for (let i = 0; i < (memoryOnly || createOnly ? 0 : RUNS); i++) {
    if (i % 2 === 0) { ours.push(await startupOnce(OURS)); minimal.push(await startupOnce(MINIMAL)); }
    else { minimal.push(await startupOnce(MINIMAL)); ours.push(await startupOnce(OURS)); }
    bare.push(await startupOnce(BARE));
    if (also) alsoRuns.push(await startupOnce(also));
  }
  // BENCH_ONLY=startup: this section alone.
  if (process.env.BENCH_ONLY === 'startup') {
    const ratio = median(ours) / median(minimal);
    console.log(`swas-image-mcp bench, start-up only  ${new Date().toISOString()}  node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`spawn → initialize answer, median n=${RUNS}: ours ${fmtMs(median(ours))} (${Math.min(...ours).toFixed(0)}–${Math.max(...ours).toFixed(0)}), minimal SDK ${fmtMs(median(minimal))}, ratio ${ratio.toFixed(3)} (target ≤ ${TARGET.startupRatio}: ${ratio <= TARGET.startupRatio ? 'ok' : 'MISS'}); bare node ${fmtMs(median(bare))}`);
    if (also) console.log(`  ${process.env.BENCH_STARTUP_ALSO}: ${fmtMs(median(alsoRuns))}, ratio ${(median(alsoRuns) / median(minimal)).toFixed(3)}`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(0);
  }

  const rssOurs = [];
  const rssMin = [];
  let rssBare;
  let burst;
  const haveProc = !createOnly && existsSync('/proc/self/status');
  if (haveProc) {
    // The samples of both servers run side by side: waiting 20 s for each in turn would take minutes.
    // The bursts run beside them too; they settle for 60 s, the idle samples for 20 s.
    const burstSim = await startSimulator({ imageReadyMs: 60_000, snapshotReadyMs: 60_000 });
    try {
      const burstEnv = benchEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
        SWAS_ENDPOINT: burstSim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'info',
      });
      const mix = oursCallMix({ regionId: DEMO.region, instanceId: DEMO.blogServerId, snapshotId: DEMO.blogSystemSnapshotId, stamp: Date.now().toString(36) });
      const all = await Promise.all([
        ...[0, 1, 2].map(() => idleRss(OURS)), ...[0, 1, 2].map(() => idleRss(MINIMAL)), idleRss(BARE),
        burstRss({ file: OURS, env: burstEnv, nextCall: mix }),
        burstRss({ file: MINIMAL, env: benchEnv(), nextCall: minimalCallMix() }),
      ]);
      rssOurs.push(...all.slice(0, 3));
      rssMin.push(...all.slice(3, 6));
      rssBare = all[6];
      burst = { ours: all[7], minimal: all[8] };
    } finally {
      await burstSim.stop();
    }
  }

  const create = memoryOnly ? undefined : await createBench();

  // ---------- report ----------
  const cpus = os.cpus();
  const startRatio = median(ours) / median(minimal);
  const createRatio = create ? median(create.mcp) / median(create.direct) : NaN;
  const mark = (ok) => (ok ? 'ok' : 'MISS');
  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

  console.log(`swas-image-mcp bench  ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}`);
  console.log('');
  const rssRow = (label, key, a, b, target) => {
    const ours = median(a.map((x) => x[key]));
    const base = median(b.map((x) => x[key]));
    return [label, `${ours.toFixed(1)} MB`, `${base.toFixed(1)} MB (minimal SDK)`, (ours / base).toFixed(2), target, target ? mark(ours <= TARGET.rssMb) : ''];
  };
  const rows = [
    ['metric', 'swas-image-mcp', 'baseline', 'ratio', 'target', ''],
    ...(memoryOnly || createOnly ? [] : [[`spawn → initialize answer, median n=${RUNS}`, fmtMs(median(ours)), `${fmtMs(median(minimal))} (minimal SDK)`, startRatio.toFixed(3), `≤ ${TARGET.startupRatio}`, mark(startRatio <= TARGET.startupRatio)],
    ['  min–max', `${range(ours)} ms`, `${range(minimal)} ms`, '', '', ''],
    ['  reference: bare node, no imports', '', `${fmtMs(median(bare))} (${range(bare)})`, '', '', '']]),
    ...(haveProc ? [
      rssRow('RSS 0.5 s after tools/list, median n=3', 'afterList', rssOurs, rssMin, ''),
      rssRow('idle RSS, 20 s after tools/list, median n=3', 'idle', rssOurs, rssMin, `≤ ${TARGET.rssMb} MB`),
      ['  reference: bare node, no imports', '', `${rssBare.idle.toFixed(1)} MB`, '', '', ''],
      rssRow('  of which anonymous (the process\'s own)', 'idleAnon', rssOurs, rssMin, ''),
      ['  reference: bare node, no imports', '', `${rssBare.idleAnon.toFixed(1)} MB`, '', '', ''],
    ] : createOnly ? [] : [['idle RSS', 'n/a (no /proc)', '', '', `≤ ${TARGET.rssMb} MB`, 'SKIP']]),
    ...(burst ? [
      [`RSS (anonymous) before a burst, same process`, `${burst.ours.idle.toFixed(1)} MB (${burst.ours.idleAnon.toFixed(1)})`, `${burst.minimal.idle.toFixed(1)} MB (${burst.minimal.idleAnon.toFixed(1)}) (minimal SDK)`, (burst.ours.idle / burst.minimal.idle).toFixed(2), '', ''],
      ...SETTLE_SAMPLES_S.map((at, k) => [
        `RSS (anonymous) ${at} s after a burst of ${BURST_CALLS} calls`,
        `${burst.ours.afterBurst[k].toFixed(1)} MB (${burst.ours.afterBurstAnon[k].toFixed(1)})`, `${burst.minimal.afterBurst[k].toFixed(1)} MB (${burst.minimal.afterBurstAnon[k].toFixed(1)}) (minimal SDK)`,
        (burst.ours.afterBurst[k] / burst.minimal.afterBurst[k]).toFixed(2),
        at === 60 ? `≤ ${TARGET.burstRatio60s}` : '', at === 60 ? mark(burst.ours.afterBurst[k] / burst.minimal.afterBurst[k] <= TARGET.burstRatio60s) : '']),
      [`  burst time, errors`, `${(burst.ours.burstMs / 1000).toFixed(1)} s, ${burst.ours.errors}`, `${(burst.minimal.burstMs / 1000).toFixed(1)} s, ${burst.minimal.errors}`, '', '', ''],
    ] : []),
    ...(create ? [[`create, ${LATENCY_MS} ms/request, median n=${CREATES}`, `${fmtMs(median(create.mcp))} (MCP)`, `${fmtMs(median(create.direct))} (direct SDK)`, createRatio.toFixed(3), `≤ ${TARGET.createRatio}`, mark(createRatio <= TARGET.createRatio)],
    ['  min–max', `${range(create.mcp)} ms`, `${range(create.direct)} ms`, '', '', ''],
    ['API round-trip waves per create', String(create.mcpWaves.length), `${create.sdkWaves.length} (direct SDK)`, '', '', '']] : []),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  if (createOnly) {
    console.log(`create only: MCP ${create.mcp.map((x) => x.toFixed(0)).join(' ')} ms; direct ${create.direct.map((x) => x.toFixed(0)).join(' ')} ms; median ${fmtMs(median(create.mcp))} / ${fmtMs(median(create.direct))} = ${createRatio.toFixed(3)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(0);
  }
  if (memoryOnly) {
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`\nbench (memory only) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(0);
  }
  console.log('');
  console.log('critical path of one MCP create (requests overlapping in time = one wave):');
  create.mcpWaves.forEach((w, i) => {
    const span = Math.max(...w.map((r) => r.end)) - Math.min(...w.map((r) => r.time));
    console.log(`  wave ${i + 1} (${span} ms): ${w.map((r) => r.action).join(', ')}`);
  });

  // ---------- capture now: calls and write waves from first call to image Available ----------
  const { runCaptureNow } = await import('./capture-now.mjs');
  await runCaptureNow();

  // ---------- context cost: tokens a model reads of tools/list ----------
  const { countTools, listTools, report: tokenReport } = await import('./tokens.mjs');
  console.log('');
  console.log(tokenReport(countTools(await listTools({ HOME }))).text);

  // ---------- MCP App views: page sizes ----------
  const { runAppViews } = await import('./app-views.mjs');
  runAppViews();

  // ---------- every region at once ----------
  const { runAllRegions } = await import('./all-regions.mjs');
  await runAllRegions();

  // ---------- HTTP load ----------
  const nginxFound = spawnSync('sh', ['-c', 'command -v nginx || test -x /usr/sbin/nginx'], { stdio: 'ignore' }).status === 0;
  if (process.env.BENCH_HTTP === '0') console.log('\nHTTP load: skipped (BENCH_HTTP=0)');
  else if (!nginxFound) console.log('\nHTTP load: skipped (nginx not installed; `npm run setup:system` installs it)');
  else {
    const { runHttpLoad } = await import('./http-load.mjs');
    await runHttpLoad();
  }
  if (process.env.BENCH_HTTP === '0') console.log('\nShared-record load: skipped (BENCH_HTTP=0)');
  else if (!nginxFound || !existsSync('/usr/lib/postgresql')) console.log('\nShared-record load: skipped (nginx or PostgreSQL not installed; `npm run setup:system` installs them)');
  else {
    const { runRecordLoad } = await import('./record-load.mjs');
    await runRecordLoad();
  }
  console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
