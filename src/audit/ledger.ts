import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { toLine, type AuditEntry } from './entry.js';

export interface AuditLedger {
  /** Appends one JSON line and resolves once it is fsynced. Appends are serialised. */
  append(e: AuditEntry): Promise<void>;
}

/** The ledger `openLedger` returns: also says where it writes, and can be closed at shut-down. */
export interface OpenedLedger extends AuditLedger {
  /** Absolute path of the file, or null for `off`. */
  readonly path: string | null;
  close(): Promise<void>;
}

/** A start-up failure: the ledger cannot be written. The message names the path and the way out. */
export class AuditLedgerError extends Error {
  override name = 'AuditLedgerError';
  readonly code = 'AuditLedgerUnwritable';
}

const OFF: OpenedLedger = {
  path: null,
  append: async () => undefined,
  close: async () => undefined,
};

/**
 * Opens the audit ledger for append. `off` gives a ledger that writes nothing. Otherwise the
 * parent directories are created (0700), the file too (0600), and an unwritable path is an
 * `AuditLedgerError` here, at start-up, rather than at the first change.
 */
export async function openLedger(pathOrOff: string): Promise<OpenedLedger> {
  if (pathOrOff === 'off') return OFF;
  if (pathOrOff.trim() === '') {
    throw new AuditLedgerError("The audit ledger path is empty: set SWAS_MCP_AUDIT_LOG to a file path, or to 'off'.");
  }
  const path = resolve(pathOrOff);
  let file: FileHandle;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    file = await open(path, 'a', 0o600);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AuditLedgerError(
      `Cannot write the audit ledger at ${path} (${why}). Set SWAS_MCP_AUDIT_LOG to a writable file, or to 'off' to run without one.`,
    );
  }
  return new FileLedger(path, file);
}

class FileLedger implements OpenedLedger {
  /** The tail of the append queue: each append waits for the one before it. */
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly path: string, private readonly file: FileHandle) {}

  append(e: AuditEntry): Promise<void> {
    const line = Buffer.from(toLine(e), 'utf8');
    const run = async (): Promise<void> => {
      if (this.closed) throw new AuditLedgerError(`The audit ledger at ${this.path} is closed.`);
      // One write of the whole line on an O_APPEND descriptor, then fsync before resolving.
      let written = 0;
      while (written < line.length) {
        const { bytesWritten } = await this.file.write(line, written, line.length - written);
        written += bytesWritten;
      }
      await this.file.sync();
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}
