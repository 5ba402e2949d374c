#!/usr/bin/env node
// HTTP load: CLIENTS concurrent MCP clients (default 50) make mixed read calls for SECONDS (default
// 20) against the simulator, three ways, one after the other:
//   a. through nginx, round-robin over three replicas (`dist/index.js --http`)   — the team deployment
//   b. to one replica directly                                                    — what nginx adds or saves
//   c. over stdio to one server process (one client, CLIENTS calls in flight)    — the single-user baseline
// It reports throughput, p50/p99 latency and errors of each, and where the CPU went (utime+stime
// from /proc/<pid>/stat over the measured window, per process), since on a 2-core machine the
// replicas, nginx, the simulator and this load generator share the cores.
//
// Loopback only, bounded (1 s warm-up + SECONDS per phase), isolated HOME, no metadata service.
// Run alone: `node bench/http-load.mjs` (after `npm run build`); `npm run bench` calls runHttpLoad().
// Env: BENCH_HTTP_CLIENTS, BENCH_HTTP_SECONDS. Needs nginx (Debian: apt-get install nginx-light).
// Targets: zero errors through nginx, p99 under 5x p50.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchScratch, drive, importTestHelpers, isolatedEnv, pct, SERVER, SIMULATOR, spawnUntil, stopChild } from './load-kit.mjs';

const TOKEN = randomBytes(24).toString('hex');
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s on every mainstream kernel

// ---------- processes ----------

/** utime+stime of a process in seconds, or 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch { return 0; }
}

/** Busy and total jiffies of the whole machine (/proc/stat, first line). */
function machineJiffies() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}

/** Child processes of `pid` (nginx workers of the master). */
function childrenOf(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

// ---------- load ----------

/** CPU seconds of each named process over the window, as % of one core. */
function cpuMeter(procs) {
  let before;
  let t;
  return {
    start() {
      t = performance.now();
      before = procs.map((p) => ({ ...p, cpu: p.pids().reduce((a, pid) => a + cpuSeconds(pid), 0) }));
      before.self = process.cpuUsage();
      before.machine = machineJiffies();
    },
    stop() {
      const wall = (performance.now() - t) / 1000;
      const rows = before.map((p) => ({ name: p.name, pct: ((p.pids().reduce((a, pid) => a + cpuSeconds(pid), 0) - p.cpu) / wall) * 100 }));
      const self = process.cpuUsage(before.self);
      rows.push({ name: 'load generator (this process)', pct: ((self.user + self.system) / 1e6 / wall) * 100 });
      rows.sort((a, b) => b.pct - a.pct);
      // Everything else on the machine in the same window (other jobs share these cores).
      const m = machineJiffies();
      const machinePct = ((m.busy - before.machine.busy) / CLK_TCK / wall) * 100;
      rows.machinePct = machinePct;
      rows.othersPct = Math.max(0, machinePct - rows.reduce((a, r) => a + r.pct, 0));
      return rows;
    },
  };
}

// ---------- the run ----------

export async function runHttpLoad({ clients = Number(process.env.BENCH_HTTP_CLIENTS ?? 50), seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 20), log = console.log } = {}) {
  const { home, keyFile } = benchScratch('swas-http-bench-');
  const { nginx: { startNginx, freePort } } = await importTestHelpers(['nginx']);
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');

  const cleanups = [];
  const results = {};
  try {
    const sim = await spawnUntil([SIMULATOR, '--port', '0', '--seed', 'demo'], isolatedEnv(home), /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    cleanups.push(() => stopChild(sim.child));
    const serverEnv = (extra = {}) => isolatedEnv(home, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'sim-access-key-id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sim-access-key-secret',
      ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_ENDPOINT: sim.match[1], SWAS_MCP_AUDIT_LOG: 'off',
      SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_HTTP_TOKEN: TOKEN, LOG_LEVEL: 'info', ...extra,
    });
    const spawnReplica = async (extra = {}) => {
      const port = await freePort();
      const r = await spawnUntil([SERVER, '--http', `127.0.0.1:${port}`], serverEnv(extra), /ready on HTTP/);
      cleanups.push(() => stopChild(r.child));
      return { child: r.child, url: `http://127.0.0.1:${port}/mcp` };
    };
    // Behind nginx: the default concurrency cap (32); a replica that is momentarily past it answers
    // 503 and nginx passes the request to the next one.
    const replicas = [];
    for (let i = 0; i < 3; i++) replicas.push(await spawnReplica());
    // Alone, one replica must take every client at once, so its cap is raised to the client count.
    const alone = await spawnReplica({ SWAS_MCP_HTTP_MAX_CONCURRENT: String(clients) });
    const nginx = await startNginx(replicas.map((r) => new URL(r.url).host));
    cleanups.push(() => nginx.stop());
    const nginxMaster = Number(readFileSync(join(nginx.prefix, 'nginx.pid'), 'utf8'));

    const connectHttp = async (url, i) => {
      // Half the clients speak 2025-11-25 (the v2 client's default), half 2026-07-28.
      const c = new Client({ name: `bench-${i}`, version: '1.0.0' }, i % 2 ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
      await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
      return c;
    };
    // The mix: what an agent reads most. IDs come from the demo data, found the way an agent would.
    const probe = await connectHttp(replicas[0].url, 0);
    const listed = await probe.callTool({ name: 'list_instances', arguments: {} });
    const first = listed.structuredContent?.Instances?.[0];
    if (!first) throw new Error(`list_instances returned no server: ${JSON.stringify(listed).slice(0, 300)}`);
    await probe.close();
    const calls = [
      { name: 'list_instances', args: {} },
      { name: 'list_snapshots', args: { RegionId: first.RegionId, InstanceId: first.InstanceId } },
      { name: 'list_custom_images', args: { RegionId: first.RegionId } },
      { name: 'list_instances', args: { InstanceName: first.InstanceName } },
    ];
    const procs = (replicaSet) => [
      ...replicaSet.map((r, i) => ({ name: `replica ${i + 1}`, pids: () => [r.child.pid] })),
      { name: 'nginx (master + workers)', pids: () => [nginxMaster, ...childrenOf(nginxMaster)] },
      { name: 'simulator', pids: () => [sim.child.pid] },
    ];

    const phase = async (label, makeClients, procList) => {
      const cs = await Promise.all(Array.from({ length: clients }, (_, i) => makeClients(i)));
      const meter = cpuMeter(procList);
      const r = await drive(cs, (i) => calls[i % calls.length], { warmupMs: 1000, windowMs: seconds * 1000, onWindowStart: () => meter.start() });
      r.p50 = pct(r.lat.all ?? [], 50);
      r.p99 = pct(r.lat.all ?? [], 99);
      r.cpu = meter.stop();
      await Promise.all(cs.map((c) => c.close().catch(() => undefined)));
      results[label] = r;
      return r;
    };

    await phase('nginx → 3 replicas', (i) => connectHttp(`${nginx.url}/mcp`, i), procs(replicas));
    await phase('1 replica direct', (i) => connectHttp(alone.url, i), [
      { name: 'replica', pids: () => [alone.child.pid] },
      { name: 'simulator', pids: () => [sim.child.pid] },
    ]);

    // stdio: one server process, one client, `clients` calls in flight at once.
    const stdioClient = new Client({ name: 'bench-stdio', version: '1.0.0' });
    const stdioTransport = new StdioClientTransport({ command: process.execPath, args: [SERVER], env: serverEnv(), stderr: 'ignore' });
    await stdioClient.connect(stdioTransport);
    cleanups.push(() => stdioClient.close().catch(() => undefined));
    const stdioPid = stdioTransport.pid;
    await phase('stdio, 1 process', () => stdioClient, [{ name: 'stdio server', pids: () => (stdioPid ? [stdioPid] : []) }, { name: 'simulator', pids: () => [sim.child.pid] }]);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }

  log(`\nHTTP load: ${clients} concurrent clients, ${seconds} s of mixed reads (list_instances, list_snapshots, list_custom_images) against the simulator, loopback, ${os.cpus().length} cores`);
  log('| setup | calls/s | p50 | p99 | p99/p50 | errors | top CPU (% of one core) |');
  log('|---|---|---|---|---|---|---|');
  for (const [label, r] of Object.entries(results)) {
    const errs = [...r.errors.values()].reduce((a, b) => a + b, 0);
    const cpu = r.cpu.filter((c) => c.pct >= 1).map((c) => `${c.name} ${c.pct.toFixed(0)}%`).join(', ');
    log(`| ${label} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${(r.p99 / r.p50).toFixed(1)} | ${errs} | ${cpu}; other processes ${r.cpu.othersPct.toFixed(0)}% |`);
  }
  for (const [label, r] of Object.entries(results)) {
    for (const [kind, n] of r.errors) log(`  ${label}: ${n} × ${kind}`);
  }
  const lb = results['nginx → 3 replicas'];
  if (lb) {
    const errs = [...lb.errors.values()].reduce((a, b) => a + b, 0);
    const total = lb.cpu.reduce((a, c) => a + c.pct, 0);
    log(`Targets through nginx: errors ${errs} (target 0) ${errs === 0 ? 'ok' : 'MISS'}; p99/p50 ${(lb.p99 / lb.p50).toFixed(1)} (target < 5) ${lb.p99 < 5 * lb.p50 ? 'ok' : 'MISS'}`);
    const cores = os.cpus().length;
    log(`Where the bound is: ${lb.cpu[0].name} at ${lb.cpu[0].pct.toFixed(0)}% of one core (the busiest process); this bench's processes ${total.toFixed(0)}%, the whole machine ${lb.cpu.machinePct.toFixed(0)}% of ${cores * 100}%.`);
    log(lb.cpu.machinePct > cores * 100 * 0.9
      ? '  -> the cores are saturated: throughput is bound by CPU shared among the replicas, nginx, the simulator and the load generator, not by one process.'
      : `  -> the cores are not saturated (${(cores * 100 - lb.cpu.machinePct).toFixed(0)}% idle): latency is queueing in the event loops, not CPU starvation.`);
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runHttpLoad().catch((e) => { console.error(`http-load failed: ${e?.stack ?? e}`); process.exit(1); });
}
