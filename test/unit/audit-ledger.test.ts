import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { argsDigest, audited, AuditLedgerError, openLedger, type AuditBase, type OpenedLedger } from '../../src/audit/index.js';

let dir: string;
const opened: OpenedLedger[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await rm(dir, { recursive: true, force: true });
});

async function ledgerAt(path: string): Promise<OpenedLedger> {
  const l = await openLedger(path);
  opened.push(l);
  return l;
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const base: AuditBase = {
  tool: 'delete_custom_images',
  action: 'DeleteCustomImages',
  regionId: 'cn-hangzhou',
  resourceIds: ['m-1', 'm-2'],
  clientToken: 'mcp-abc',
  argsDigest: 'f'.repeat(64),
  simulated: true,
};

describe('openLedger', () => {
  it('creates missing parent directories 0700 and the file 0600', async () => {
    const path = join(dir, 'a', 'b', 'audit.jsonl');
    await ledgerAt(path);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('fails at start-up, naming the path and the way out, when it cannot write', async () => {
    // A parent that is a regular file cannot hold the ledger, even for root (tests may run as root).
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const path = join(blocker, 'sub', 'audit.jsonl');
    const err = await openLedger(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain("'off'");
  });

  it('fails at start-up when the path is a directory', async () => {
    await expect(openLedger(dir)).rejects.toBeInstanceOf(AuditLedgerError);
  });

  it("'off' writes nothing and needs no path", async () => {
    const l = await openLedger('off');
    expect(l.path).toBeNull();
    await l.append({ ...base, time: 't', phase: 'intent' });
  });

  it('keeps what is already in the file and appends after it', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"earlier":true}\n', { mode: 0o600 });
    const l = await ledgerAt(path);
    await l.append({ ...base, time: '2026-01-01T00:00:00.000Z', phase: 'intent' });
    const all = await lines(path);
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual({ earlier: true });
  });
});

describe('append', () => {
  it('writes one valid JSON line with exactly the contract fields, on disk when it resolves', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    await l.append({ ...base, time: '2026-01-01T00:00:00.000Z', phase: 'outcome', requestId: 'R-1', ok: true });
    // Read through a separate descriptor: the line is there once append resolved.
    const [line] = await lines(path);
    expect(Object.keys(line!)).toEqual([
      'time', 'tool', 'action', 'phase', 'regionId', 'resourceIds', 'clientToken', 'argsDigest', 'requestId', 'ok', 'simulated',
    ]);
    expect(line).toMatchObject({ phase: 'outcome', requestId: 'R-1', ok: true, resourceIds: ['m-1', 'm-2'] });
  });

  it('never writes a field the entry type does not have, nor control characters', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const sneaky = {
      ...base, time: 't', phase: 'intent' as const,
      AccessKeySecret: 'SECRET-abc', password: 'SECRET-pw', tool: 'x\u001b[31m\ny',
    };
    await l.append(sneaky);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('SECRET');
    expect(text.split('\n')).toHaveLength(2);
    expect(JSON.parse(text)).toMatchObject({ tool: 'x[31my' });
  });

  it('writes requestedBy field by field: subject and client ID cleaned, nothing else kept', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const requestedBy = { subject: 'alice\u001b\n', clientId: 'agent-1', token: 'SECRET-jwt' } as { subject: string; clientId?: string };
    await l.append({ ...base, time: 't', phase: 'intent', requestedBy });
    await l.append({ ...base, time: 't', phase: 'intent', requestedBy: { subject: 'bob' } });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('SECRET');
    const [first, second] = await lines(path);
    expect(first!.requestedBy).toEqual({ subject: 'alice', clientId: 'agent-1' });
    expect(second!.requestedBy).toEqual({ subject: 'bob' });
  });

  it('serialises concurrent appends: 200 lines, none interleaved, in call order', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const long = Array.from({ length: 50 }, (_, i) => `m-${'x'.repeat(100)}${i}`);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => l.append({ ...base, resourceIds: long, time: String(i), phase: 'intent' })),
    );
    const all = await lines(path);
    expect(all.map((e) => e.time)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(all.every((e) => (e.resourceIds as string[]).length === 50)).toBe(true);
  });
});

describe('argsDigest', () => {
  it('is the SHA-256 hex of canonical JSON: key order does not matter, values do', () => {
    const a = argsDigest({ RegionId: 'cn-hangzhou', ImageIds: ['m-1'], Unshare: undefined });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(argsDigest({ ImageIds: ['m-1'], RegionId: 'cn-hangzhou' })).toBe(a);
    expect(argsDigest({ ImageIds: ['m-2'], RegionId: 'cn-hangzhou' })).not.toBe(a);
    expect(argsDigest({ ImageIds: ['m-1'], RegionId: 'cn-hangzhou', Unshare: false })).not.toBe(a);
    // sha256('{"a":1}')
    expect(argsDigest({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});

describe('audited', () => {
  it('writes intent before send is called, then outcome with the RequestId', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    let seenAtSend: Record<string, unknown>[] = [];
    const result = await audited(l, base, async () => {
      seenAtSend = await lines(path);
      return { RequestId: 'REQ-1', Extra: 1 };
    }, () => Date.UTC(2026, 0, 1));
    expect(result).toEqual({ RequestId: 'REQ-1', Extra: 1 });
    expect(seenAtSend).toHaveLength(1);
    expect(seenAtSend[0]).toMatchObject({ phase: 'intent', time: '2026-01-01T00:00:00.000Z' });
    expect(seenAtSend[0]).not.toHaveProperty('ok');
    const all = await lines(path);
    expect(all[1]).toMatchObject({ phase: 'outcome', ok: true, requestId: 'REQ-1', argsDigest: base.argsDigest });
  });

  it('records a failure by its code and RequestId, never its message, and re-throws it', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const boom = Object.assign(new Error('SECRET in a message'), { code: 'IncorrectImageStatus', requestId: 'REQ-2', stage: 'api', httpStatus: 403 });
    await expect(audited(l, base, () => Promise.reject(boom))).rejects.toBe(boom);
    const all = await lines(path);
    expect(all[1]).toMatchObject({ phase: 'outcome', ok: false, outcome: 'failed', errorCode: 'IncorrectImageStatus', requestId: 'REQ-2' });
    expect(await readFile(path, 'utf8')).not.toContain('SECRET');
  });

  it('sends nothing when the intent line cannot be written', async () => {
    let sent = 0;
    const broken = { append: () => Promise.reject(new Error('disk full')) };
    await expect(audited(broken, base, async () => { sent += 1; return {}; })).rejects.toThrow('disk full');
    expect(sent).toBe(0);
  });

  it('leaves the intent line on disk when the process is killed before the outcome', async () => {
    // Bundle the real ledger code for a plain node child (Node 20 runs no TypeScript).
    const bundle = join(dir, 'audit.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/audit/index.ts', import.meta.url))],
      bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'silent',
    });
    const child = join(dir, 'child.mjs');
    const path = join(dir, 'crash', 'audit.jsonl');
    await writeFile(child, `
      import { openLedger, audited } from ${JSON.stringify(bundle)};
      const ledger = await openLedger(${JSON.stringify(path)});
      await audited(ledger, ${JSON.stringify(base)}, () => {
        process.kill(process.pid, 'SIGKILL');
        return new Promise(() => {});
      });
    `);
    const signal = await new Promise<NodeJS.Signals | null>((resolveExit, reject) => {
      const p = spawn(process.execPath, [child], { stdio: 'ignore' });
      p.on('error', reject);
      p.on('exit', (_code, sig) => resolveExit(sig));
    });
    expect(signal).toBe('SIGKILL');
    const all = await lines(path);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ phase: 'intent', tool: 'delete_custom_images', resourceIds: ['m-1', 'm-2'] });
  });
});

describe('audited with answers of any shape', () => {
  it('records no requestId when the answer has none, and passes the answer through', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    expect(await audited(l, base, async () => 'plain')).toBe('plain');
    expect(await audited(l, base, async () => ({ RequestId: 42 }))).toEqual({ RequestId: 42 });
    const outcomes = (await lines(path)).filter((e) => e.phase === 'outcome');
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.ok).toBe(true);
      expect(o).not.toHaveProperty('requestId');
    }
  });
});
