// RSS after a burst of calls, beside idle RSS: `npm run bench` runs this for our
// server and for the v1 minimal SDK server, side by side.
//
// Raw JSON-RPC over the child's stdio, so the client costs nothing in the measured process:
// initialize, tools/list, RSS once settled (0.5 s), then CALLS requests with IN_FLIGHT at a time,
// then RSS 0.5 s after the last answer and again SETTLE_SAMPLES_S later. Memory that comes back
// by itself once idle is V8 garbage (collected lazily by its memory reducer); memory that never
// comes back is held by something.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const BURST_CALLS = Number(process.env.BENCH_BURST_CALLS ?? 1000);
const IN_FLIGHT = 10;
/** Seconds after the burst at which RSS is sampled: at once, at the idle-RSS point, and past V8's memory reducer. */
export const SETTLE_SAMPLES_S = [0.5, 20, 60];

function rssMb(pid) {
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/** Anonymous pages: the process's own memory, without the node binary's shared file pages. */
function anonMb(pid) {
  return Number(/^Anonymous:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) / 1024;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns `file` with `env`, runs the burst and returns RSS samples in MB:
 * { idle, idleAnon, afterBurst / afterBurstAnon: [at each SETTLE_SAMPLES_S], burstMs, errors }.
 * `nextCall(i)` returns the JSON-RPC { method, params } of the i-th call.
 */
export async function burstRss({ file, env, nextCall, calls = BURST_CALLS }) {
  const child = spawn(process.execPath, [file], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.resume(); // drained, as a host does
  const pending = new Map();
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg;
      try { msg = JSON.parse(line); } catch { continue; }
      const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
      if (p) { pending.delete(msg.id); p(msg); }
    }
  });
  const exited = new Promise((r) => child.once('exit', r));
  let nextId = 1;
  const request = (method, params) => new Promise((resolveP, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${file}: no answer to ${method} in 30 s`)); }, 30_000);
    pending.set(id, (msg) => { clearTimeout(timer); resolveP(msg); });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
  });
  try {
    await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-burst', version: '1.0.0' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    await request('tools/list', {});
    await sleep(500);
    const idle = rssMb(child.pid);
    const idleAnon = anonMb(child.pid);

    let errors = 0;
    let i = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (i < calls) {
        const { method, params } = nextCall(i++);
        const msg = await request(method, params);
        if (msg.error || msg.result?.isError) errors++;
      }
    }));
    const burstMs = performance.now() - t0;
    const afterBurst = [];
    const afterBurstAnon = [];
    const doneAt = performance.now();
    for (const s of SETTLE_SAMPLES_S) {
      await sleep(Math.max(0, s * 1000 - (performance.now() - doneAt)));
      afterBurst.push(rssMb(child.pid));
      afterBurstAnon.push(anonMb(child.pid));
    }
    return { idle, idleAnon, afterBurst, afterBurstAnon, burstMs, errors };
  } finally {
    child.stdin.end();
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(kill);
  }
}

/** The mix of calls an agent makes: the three reads, a dry-run create (a new name each time), tools/list. */
export function oursCallMix({ regionId, instanceId, snapshotId, stamp }) {
  const calls = [
    () => ({ method: 'tools/call', params: { name: 'list_instances', arguments: {} } }),
    () => ({ method: 'tools/call', params: { name: 'list_snapshots', arguments: { RegionId: regionId, InstanceId: instanceId } } }),
    () => ({ method: 'tools/call', params: { name: 'list_custom_images', arguments: { RegionId: regionId } } }),
    (i) => ({ method: 'tools/call', params: { name: 'create_custom_image', arguments: { RegionId: regionId, InstanceId: instanceId, SystemSnapshotId: snapshotId, ImageName: `burst-${stamp}-${i}`, DryRun: true } } }),
    () => ({ method: 'tools/list', params: {} }),
  ];
  return (i) => calls[i % calls.length](i);
}

/** The minimal server has one tool: echo, and tools/list every fifth call, as in our mix. */
export function minimalCallMix() {
  return (i) => (i % 5 === 4
    ? { method: 'tools/list', params: {} }
    : { method: 'tools/call', params: { name: 'echo', arguments: { text: `burst ${i}` } } });
}
