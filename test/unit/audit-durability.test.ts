// The ledger under faults: a full disk mid-line, a file rotated or deleted after start, a
// symbolic link or a file others can read, and calls that end without an answer.
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  audited, AuditLedgerError, fileIo, LedgerHistory, NotSentError, openLedger, OutcomeUnknownError, requestArgs, argsDigest,
  type AuditBase, type LedgerFile, type LedgerIo, type OpenedLedger,
} from '../../src/audit/index.js';
import { SwasError, CancelledError } from '../../src/swas/errors.js';

let dir: string;
const opened: OpenedLedger[] = [];
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'audit-faults-')); });
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

async function ledgerAt(path: string, io?: LedgerIo): Promise<OpenedLedger> {
  const l = await openLedger(path, io);
  opened.push(l);
  return l;
}

const base: AuditBase = {
  tool: 'share_custom_image', action: 'ModifyImageShareStatus', regionId: 'cn-hangzhou', resourceIds: ['m-1'],
  clientToken: 'mcp-abc', argsDigest: 'f'.repeat(64), simulated: false,
};
const entry = (time: string) => ({ ...base, time, phase: 'intent' as const });

/** Every line of the file must be a whole JSON record. */
async function records(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n'), JSON.stringify(text.slice(-80))).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The real file layer, with a disk that fills up: while `full` is set, a write takes `takes`
 * bytes (a partial line) and then fails with ENOSPC, as a write(2) on a full disk does.
 */
function fillingDisk() {
  const disk = { full: false, takes: 10 };
  const io: LedgerIo = {
    ...fileIo,
    open: async (path) => {
      const real = await fileIo.open(path);
      const file: LedgerFile = {
        read: (b, o, l, p) => real.read(b, o, l, p),
        sync: () => real.sync(),
        truncate: (n) => real.truncate(n),
        stat: () => real.stat(),
        close: () => real.close(),
        write: async (b, o, l) => {
          if (!disk.full) return real.write(b, o, l);
          if (disk.takes > 0) {
            const n = Math.min(disk.takes, l);
            disk.takes -= n;
            return real.write(b, o, n);
          }
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      };
      return file;
    },
  };
  return { disk, io };
}

describe('a full disk', () => {
  it('a line cut short is truncated away; the next line is whole (before: it was glued to the fragment)', async () => {
    const path = join(dir, 'audit.jsonl');
    const { disk, io } = fillingDisk();
    const l = await ledgerAt(path, io);
    await l.append(entry('1'));
    disk.full = true;
    const err = await l.append(entry('2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect((err as Error).message).toContain('no space left');
    expect((await records(path)).map((r) => r.time)).toEqual(['1']);
    disk.full = false;
    await l.append(entry('3'));
    expect((await records(path)).map((r) => r.time)).toEqual(['1', '3']);
  });

  it('an outcome that cannot be written after the change went through: the result stands, with a ledger warning', async () => {
    const path = join(dir, 'audit.jsonl');
    const { disk, io } = fillingDisk();
    const l = await ledgerAt(path, io);
    const warnings: string[] = [];
    const result = await audited(l, base, async () => {
      disk.full = true;
      return { RequestId: 'REQ-1' };
    }, Date.now, { onLedgerWarning: (w) => warnings.push(w) });
    expect(result).toEqual({ RequestId: 'REQ-1' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/was carried out, but the audit ledger could not record its outcome/);
    // The intent is there, whole; the cut outcome line is gone.
    expect((await records(path)).map((r) => r.phase)).toEqual(['intent']);
  });

  it('the probe write at start-up refuses a ledger on a disk that takes no data', async () => {
    const io: LedgerIo = { ...fileIo, probe: async () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
    const err = await openLedger(join(dir, 'audit.jsonl'), io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect((err as Error).message).toMatch(/probe write failed \(no space left on the device\)/);
    expect((err as Error).message).toContain("'off'");
  });

  it('the start-up message says it once (no doubled advice, no "..")', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, '');
    const err = await openLedger(join(blocker, 'audit.jsonl')).catch((e: unknown) => e) as Error;
    expect(err.message).not.toContain('..');
    expect(err.message.match(/SWAS_MCP_AUDIT_LOG/g)).toHaveLength(1);
  });
});

describe('rotation and deletion after start', () => {
  it('a file renamed away (logrotate): the next line goes to a new file at the path, 0600', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    await l.append(entry('1'));
    await rename(path, `${path}.1`);
    await l.append(entry('2'));
    expect((await records(`${path}.1`)).map((r) => r.time)).toEqual(['1']);
    expect((await records(path)).map((r) => r.time)).toEqual(['2']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('a file deleted: recreated at the next line, never written to the unlinked inode', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    await l.append(entry('1'));
    await unlink(path);
    await l.append(entry('2'));
    expect((await records(path)).map((r) => r.time)).toEqual(['2']);
  });

  it('reopen() (SIGHUP) opens the path again', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    await rename(path, `${path}.1`);
    await l.reopen();
    await expect(stat(path)).resolves.toBeTruthy();
  });

  it('a path that can no longer be written: the intent fails, nothing is sent', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    await unlink(path);
    await mkdir(path);
    let sent = 0;
    const err = await audited(l, base, async () => { sent += 1; return {}; }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect(sent).toBe(0);
  });
});

describe('file handles', () => {
  it('a file refused at the path (others may read it) is closed, not leaked, at every line that tries it', async () => {
    const path = join(dir, 'audit.jsonl');
    let openCount = 0;
    let closeCount = 0;
    const io: LedgerIo = {
      ...fileIo,
      open: async (p) => {
        const real = await fileIo.open(p);
        openCount += 1;
        return Object.assign(Object.create(real) as LedgerFile, { close: async () => { closeCount += 1; await real.close(); } });
      },
    };
    const l = await ledgerAt(path, io);
    await unlink(path);
    await writeFile(path, '', { mode: 0o640 });
    await chmod(path, 0o640);
    for (let i = 0; i < 3; i++) {
      const err = await audited(l, base, async () => ({})).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditLedgerError);
    }
    // Every open but the ledger's own first file was refused, and each of those was closed.
    expect(openCount).toBeGreaterThanOrEqual(4);
    expect(closeCount).toBe(openCount - 1);
  });

  it('a file that cannot be read at open or at a reopen is closed; a reopen keeps the file it had', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"earlier":true}\n', { mode: 0o600 });
    const disk = { readFails: true, opens: 0, closes: 0 };
    const io: LedgerIo = {
      ...fileIo,
      open: async (p) => {
        const real = await fileIo.open(p);
        disk.opens += 1;
        return Object.assign(Object.create(real) as LedgerFile, {
          read: (b: Buffer, o: number, l: number, at: number) => disk.readFails
            ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }))
            : real.read(b, o, l, at),
          close: async () => { disk.closes += 1; await real.close(); },
        });
      },
    };
    const refused = await openLedger(path, io).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuditLedgerError);
    expect(String(refused)).toMatch(/Cannot read the audit ledger at .*EIO/);
    expect(disk).toMatchObject({ opens: 1, closes: 1 });

    disk.readFails = false;
    const l = await ledgerAt(path, io);
    disk.readFails = true;
    await expect(l.reopen()).rejects.toBeInstanceOf(AuditLedgerError);
    expect(disk).toMatchObject({ opens: 3, closes: 2 });
    disk.readFails = false;
    await l.append(entry('after'));
    expect((await records(path)).map((r) => r.time)).toEqual([undefined, 'after']);
  });
});

describe('what may hold the ledger', () => {
  it('a symbolic link is refused (O_NOFOLLOW), naming it', async () => {
    const target = join(dir, 'elsewhere.jsonl');
    await writeFile(target, '', { mode: 0o600 });
    const path = join(dir, 'audit.jsonl');
    await symlink(target, path);
    const err = await openLedger(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect((err as Error).message).toContain('symbolic link');
  });

  it('an existing file others can read (0640) is refused with the chmod to run; 0600 is accepted', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '');
    await chmod(path, 0o640);
    const err = await openLedger(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLedgerError);
    expect((err as Error).message).toContain('0640');
    expect((err as Error).message).toContain(`chmod 600 ${path}`);
    await chmod(path, 0o600);
    await ledgerAt(path);
  });

  it('a file that ends in part of a line (a writer died mid-line): the next line starts on its own line', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"time":"0"}\n{"time":"cut', { mode: 0o600 });
    const l = await ledgerAt(path);
    await l.append(entry('1'));
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toMatchObject({ time: '1' });
  });
});

describe('outcomes: ok, failed, unknown', () => {
  it('the API refused: failed; no answer (a cancel after sending, a timeout): unknown, not failed', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const refused = new SwasError({ code: 'IncorrectImageStatus', message: 'x', stage: 'api', httpStatus: 403 });
    await expect(audited(l, base, () => Promise.reject(refused))).rejects.toBe(refused);
    const cancelled = new CancelledError('cancelled by the client');
    const err = await audited(l, base, () => Promise.reject(cancelled)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect((err as OutcomeUnknownError).cause).toBe(cancelled);
    const timeout = new SwasError({ code: 'RequestTimeout', message: 'x', stage: 'network' });
    await expect(audited(l, base, () => Promise.reject(timeout))).rejects.toBeInstanceOf(OutcomeUnknownError);
    const outcomes = (await records(path)).filter((r) => r.phase === 'outcome');
    expect(outcomes.map((o) => [o.outcome, o.ok, o.errorCode])).toEqual([
      ['failed', false, 'IncorrectImageStatus'], ['unknown', false, 'Cancelled'], ['unknown', false, 'RequestTimeout'],
    ]);
  });

  it('a call stopped before sending: nothing sent, its outcome failed with Cancelled', async () => {
    const path = join(dir, 'audit.jsonl');
    const l = await ledgerAt(path);
    const stop = new AbortController();
    stop.abort();
    let sent = 0;
    await expect(audited(l, base, async () => { sent += 1; return {}; }, Date.now, { signal: stop.signal })).rejects.toBeInstanceOf(NotSentError);
    expect(sent).toBe(0);
    expect((await records(path)).at(-1)).toMatchObject({ phase: 'outcome', outcome: 'failed', errorCode: 'Cancelled' });
  });
});

describe('the history read from the ledger', () => {
  const line = (o: Record<string, unknown>) => JSON.stringify({ ...base, time: '2026-01-01T00:00:00.000Z', ...o });
  it('an unknown outcome is pending until reconciled; an intent without outcome only once old enough', () => {
    const h = new LedgerHistory();
    h.add([
      line({ phase: 'intent', clientToken: 'A' }), line({ phase: 'outcome', clientToken: 'A', outcome: 'unknown', ok: false }),
      line({ phase: 'intent', clientToken: 'B', time: '2026-01-01T00:10:00.000Z' }),
      line({ phase: 'intent', clientToken: 'C' }), line({ phase: 'outcome', clientToken: 'C', outcome: 'ok', ok: true }),
      '{"cut', 'not json',
    ]);
    const at = Date.parse('2026-01-01T00:05:00.000Z');
    expect(h.pending(at).map((p) => p.intent.clientToken)).toEqual(['A']);
    expect(h.pending(Date.parse('2026-01-01T00:20:00.000Z')).map((p) => p.intent.clientToken)).toEqual(['A', 'B']);
    h.add([line({ phase: 'outcome', clientToken: 'A', outcome: 'reconciled', found: 'applied', ok: true })]);
    expect(h.pending(at)).toEqual([]);
    expect(h.lastChangeOf(['m-1', 'm-2'])).toEqual({ 'm-1': 'A' });
  });

  it('reads lines other processes appended to the same file', async () => {
    const path = join(dir, 'audit.jsonl');
    const a = await ledgerAt(path);
    const b = await ledgerAt(path);
    await b.append({ ...base, time: 't', phase: 'outcome', ok: true, outcome: 'ok', clientToken: 'FROM-B' });
    expect((await a.history!())!.lastChangeOf(['m-1'])).toEqual({ 'm-1': 'FROM-B' });
  });
});

describe('argsDigest: one normalisation for every tool', () => {
  it('ConfirmToken, DryRun, ApprovalId and WaitFor* never change the digest; the request does', () => {
    const request = { RegionId: 'cn-hangzhou', InstanceId: 'i-1', ImageId: 'm-1' };
    const d = argsDigest(requestArgs(request));
    expect(argsDigest(requestArgs({ ...request, ConfirmToken: 't', DryRun: false, WaitForRunning: true, ApprovalId: 'a' }))).toBe(d);
    expect(argsDigest(requestArgs({ ...request, ImageId: 'm-2' }))).not.toBe(d);
    expect(argsDigest(requestArgs({ ...request, ClientToken: 'mine' }))).not.toBe(d);
  });
});
