import { Transform, type TransformCallback, type Writable } from 'node:stream';
import type { Logger } from 'pino';

/** JSON-RPC error codes the protocol defines for what never reaches a handler. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * Sits between stdin and the SDK's stdio transport, one line at a time. The transport drops what
 * it cannot parse without an answer, and closes itself (leaving the process deaf) on a line over
 * its buffer limit. Here, a line that is not JSON gets -32700, one that is not a JSON-RPC 2.0
 * message (a batch included) gets -32600, and an oversized line is skipped with -32600: the
 * server keeps serving. Everything else passes through unchanged.
 */
export class StdinGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(private readonly out: Writable, private readonly log: Logger, private readonly maxLineBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.collect(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    this.collect(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.pendingBytes > 0 || this.skipping) this.endLine();
    done();
  }

  private collect(part: Buffer): void {
    if (this.skipping || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false;
      this.log.warn({ maxLineBytes: this.maxLineBytes }, 'stdin: a message over the size limit was skipped');
      this.reject(null, INVALID_REQUEST, `Message too large: at most ${this.maxLineBytes} bytes a line`);
      return;
    }
    const line = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    if (line.trim() === '') return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.log.warn('stdin: a line that is not JSON was answered with a parse error');
      this.reject(null, PARSE_ERROR, 'Parse error: the line is not JSON');
      return;
    }
    const problem = Array.isArray(msg) ? 'batches are not supported'
      : msg === null || typeof msg !== 'object' ? 'a message must be a JSON object'
        : (msg as { jsonrpc?: unknown }).jsonrpc !== '2.0' ? 'jsonrpc must be "2.0"' : undefined;
    if (problem) {
      const id = !Array.isArray(msg) && msg !== null && typeof msg === 'object' ? idOf((msg as { id?: unknown }).id) : null;
      this.log.warn({ problem }, 'stdin: an invalid JSON-RPC message was answered with an error');
      this.reject(id, INVALID_REQUEST, `Invalid Request: ${problem}`);
      return;
    }
    this.push(`${line}\n`);
  }

  private reject(id: string | number | null, code: number, message: string): void {
    this.out.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }
}

function idOf(id: unknown): string | number | null {
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
