import { constants } from 'node:fs';
import { lstat, mkdir, open, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { toLine, type AuditEntry } from './entry.js';
import { LedgerHistory } from './history.js';

export interface AuditLedger {
  /** Appends one JSON line and resolves once it is fsynced. Appends are serialised. */
  append(e: AuditEntry): Promise<void>;
  /** What the ledger holds so far (other processes' lines included), read up to now; undefined for `off`. */
  history?(): Promise<LedgerHistory | undefined>;
}

/** The ledger `openLedger` returns: also says where it writes, and can be reopened and closed. */
export interface OpenedLedger extends AuditLedger {
  /** Absolute path of the file, or null for `off`. */
  readonly path: string | null;
  /** Opens the path again (after rotation; SIGHUP). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** The ledger cannot be written. The message names the path and the way out. */
export class AuditLedgerError extends Error {
  override name = 'AuditLedgerError';
  readonly code = 'AuditLedgerUnwritable';
}

/** The calls the ledger makes on its open file (a `FileHandle` has them all); tests inject failures here. */
export interface LedgerFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ dev: number; ino: number; mode: number; size: number; isFile(): boolean }>;
  close(): Promise<void>;
}

/** How the ledger reaches the file system. */
export interface LedgerIo {
  /** Opens for reading and appending, creating it 0600, never through a symbolic link. */
  open(path: string): Promise<LedgerFile>;
  /** The path's identity now, or undefined when nothing is there. */
  identity(path: string): Promise<{ dev: number; ino: number } | undefined>;
  /** Writes, fsyncs and removes a small file beside the ledger: the disk takes data. */
  probe(path: string): Promise<void>;
}

const FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export const fileIo: LedgerIo = {
  open: (path) => open(path, FLAGS, 0o600),
  identity: async (path) => {
    try {
      const st = await lstat(path);
      return { dev: st.dev, ino: st.ino };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  probe: async (path) => {
    const probe = join(dirname(path), `.${basename(path)}.probe-${process.pid}`);
    try {
      await writeFile(probe, Buffer.alloc(4096, 0x20), { mode: 0o600, flush: true });
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  },
};

const OFF: OpenedLedger = {
  path: null,
  append: async () => undefined,
  history: async () => undefined,
  reopen: async () => undefined,
  close: async () => undefined,
};

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ELOOP') return 'it is a symbolic link; the ledger must be a regular file';
  if (e?.code === 'ENOSPC') return 'no space left on the device';
  return err instanceof Error ? err.message : String(err);
}

/** Refuses what must not hold the ledger: anything but a regular file, or a file others can read. */
async function checked(path: string, file: LedgerFile): Promise<LedgerFile> {
  try {
    const st = await file.stat();
    if (!st.isFile()) throw new Error('it is not a regular file');
    if ((st.mode & 0o077) !== 0) {
      throw new Error(`its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}, readable or writable by group or others; run "chmod 600 ${path}"`);
    }
    return file;
  } catch (err) {
    // Refused, so never used: closed now (a refused reopen is tried again at every line).
    await file.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Opens the audit ledger for append. `off` gives a ledger that writes nothing. Otherwise the
 * parent directories are created (0700), the file too (0600, never through a symbolic link), an
 * existing file others can read is refused, and a probe write checks the disk takes data: an
 * unwritable ledger is an `AuditLedgerError` here, at start-up, rather than at the first change.
 */
export async function openLedger(pathOrOff: string, io: LedgerIo = fileIo): Promise<OpenedLedger> {
  if (pathOrOff === 'off') return OFF;
  if (pathOrOff.trim() === '') {
    throw new AuditLedgerError("The audit ledger path is empty: set SWAS_MCP_AUDIT_LOG to a file path, or to 'off'.");
  }
  const path = resolve(pathOrOff);
  let file: LedgerFile;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    file = await checked(path, await io.open(path));
  } catch (err) {
    throw new AuditLedgerError(`Cannot write the audit ledger at ${path}: ${why(err)}. Set SWAS_MCP_AUDIT_LOG to a writable file, or to 'off' to run without one.`);
  }
  try {
    await io.probe(path);
  } catch (err) {
    await file.close().catch(() => undefined);
    throw new AuditLedgerError(`Cannot write the audit ledger at ${path}: a probe write failed (${why(err)}). Free space or set SWAS_MCP_AUDIT_LOG to a writable file, or to 'off' to run without one.`);
  }
  let whole: boolean;
  try {
    whole = await endsWithNewline(file);
  } catch (err) {
    await file.close().catch(() => undefined);
    throw new AuditLedgerError(`Cannot read the audit ledger at ${path}: ${why(err)}. Set SWAS_MCP_AUDIT_LOG to a readable file, or to 'off' to run without one.`);
  }
  return new FileLedger(path, file, io, whole);
}

async function endsWithNewline(file: LedgerFile): Promise<boolean> {
  const { size } = await file.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await file.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** Offset just past the last newline at or before `end` (0 when there is none). */
async function lastLineEnd(file: LedgerFile, end: number): Promise<number> {
  const chunk = Buffer.alloc(4096);
  for (let pos = end; pos > 0;) {
    const from = Math.max(0, pos - chunk.length);
    const { bytesRead } = await file.read(chunk, 0, pos - from, from);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return from + at + 1;
    pos = from;
  }
  return 0;
}

class FileLedger implements OpenedLedger {
  /** The tail of the append queue: each append (and reopen) waits for the one before it. */
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** Our last write left part of a line behind that could not be cut: cut it before the next one. */
  private dirty = false;
  private readonly known = new LedgerHistory();
  /** How far `known` has read the current file (always just past a newline). */
  private readOffset = 0;

  /**
   * @param whole false when the file ends in part of a line (another writer died mid-line): the
   *   first line written then starts on a new line, so it stays whole.
   */
  constructor(readonly path: string, private file: LedgerFile, private readonly io: LedgerIo, private whole: boolean) {}

  private queue(run: () => Promise<void>): Promise<void> {
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  append(e: AuditEntry): Promise<void> {
    const line = Buffer.from(toLine(e), 'utf8');
    return this.queue(async () => {
      if (this.closed) throw new AuditLedgerError(`The audit ledger at ${this.path} is closed.`);
      try {
        await this.followPath();
        if (this.dirty) await this.cutPartialLine();
      } catch (err) {
        throw new AuditLedgerError(`Cannot write the audit ledger at ${this.path}: ${why(err)}.`);
      }
      await this.writeWhole(this.whole ? line : Buffer.concat([Buffer.from('\n'), line]));
      this.whole = true;
    });
  }

  /** One line, all of it, then fsync; a failure cuts what was written back to the last whole line. */
  private async writeWhole(line: Buffer): Promise<void> {
    let written = 0;
    try {
      while (written < line.length) {
        const { bytesWritten } = await this.file.write(line, written, line.length - written);
        if (bytesWritten <= 0) throw Object.assign(new Error('the disk took no more data'), { code: 'ENOSPC' });
        written += bytesWritten;
      }
      await this.file.sync();
    } catch (err) {
      if (written > 0 && written < line.length) {
        this.dirty = true;
        await this.cutPartialLine().catch(() => undefined);
      }
      throw new AuditLedgerError(`Cannot write the audit ledger at ${this.path}: ${why(err)}.`);
    }
  }

  /** Truncates the file back to its last whole line (what a failed write left after it). */
  private async cutPartialLine(): Promise<void> {
    const { size } = await this.file.stat();
    const end = await lastLineEnd(this.file, size);
    if (end < size) await this.file.truncate(end);
    await this.file.sync();
    this.dirty = false;
    this.readOffset = Math.min(this.readOffset, end);
  }

  /** Reopens when the path no longer names the open file (deleted, or rotated away). */
  private async followPath(): Promise<void> {
    const now = await this.io.identity(this.path);
    const open = await this.file.stat();
    if (now && now.dev === open.dev && now.ino === open.ino) return;
    await this.swapFile();
  }

  private async swapFile(): Promise<void> {
    const next = await checked(this.path, await this.io.open(this.path));
    let whole: boolean;
    try {
      whole = await endsWithNewline(next);
    } catch (err) {
      await next.close().catch(() => undefined);
      throw err;
    }
    const old = this.file;
    this.file = next;
    this.dirty = false;
    this.readOffset = 0;
    this.whole = whole;
    await old.close().catch(() => undefined);
  }

  reopen(): Promise<void> {
    return this.queue(async () => {
      if (this.closed) return;
      try {
        await this.swapFile();
      } catch (err) {
        throw new AuditLedgerError(`Cannot reopen the audit ledger at ${this.path}: ${why(err)}.`);
      }
    });
  }

  history(): Promise<LedgerHistory | undefined> {
    let out: LedgerHistory | undefined;
    return this.queue(async () => {
      if (this.closed) return;
      await this.followPath().catch(() => undefined);
      await this.readNewLines();
      out = this.known;
    }).then(() => out);
  }

  /** Feeds the history every whole line written since the last read (by this process or another). */
  private async readNewLines(): Promise<void> {
    const { size } = await this.file.stat();
    const chunk = Buffer.alloc(64 * 1024);
    let rest = Buffer.alloc(0);
    for (let pos = this.readOffset; pos < size;) {
      const { bytesRead } = await this.file.read(chunk, 0, Math.min(chunk.length, size - pos), pos);
      if (bytesRead <= 0) break;
      pos += bytesRead;
      const data = Buffer.concat([rest, chunk.subarray(0, bytesRead)]);
      const cut = data.lastIndexOf(0x0a);
      if (cut < 0) { rest = data; continue; }
      this.known.add(data.subarray(0, cut).toString('utf8').split('\n'));
      this.readOffset += cut + 1;
      rest = data.subarray(cut + 1);
    }
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}
