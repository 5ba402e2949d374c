import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * node:http <-> web-standard Request/Response, just what the SDK's `createMcpHandler` needs. The
 * body is read here, under a byte cap, so an oversized request costs no more than the cap.
 */
export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' };

/**
 * Reads the body, at most `maxBytes` of it, within `deadlineMs` from now. Past the cap it keeps
 * consuming (and dropping) the rest, so the caller can answer 413 while the client still writes;
 * past the deadline it stops reading: a client that trickles its body is refused, not waited for.
 */
export function readBody(req: IncomingMessage, maxBytes: number, deadlineMs: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // discard, so the 413 can still be delivered on this connection
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer = setTimeout(() => settle({ ok: false, reason: 'timeout' }), deadlineMs);
    const settle = (r: BodyRead): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        settle({ ok: false, reason: 'too-large' });
        return; // keep consuming (and dropping) the rest
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, body: Buffer.concat(chunks, size) }));
    req.on('aborted', () => settle({ ok: false, reason: 'aborted' }));
    req.on('error', () => settle({ ok: false, reason: 'aborted' }));
  });
}

export function toWebRequest(req: IncomingMessage, body: Buffer, signal: AbortSignal, base: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD' && body.length > 0) init.body = body;
  return new Request(new URL(req.url ?? '/', base), init);
}

/** What the relay reports and obeys besides the response itself. */
export interface RelayHooks {
  /** Each JSON-RPC message id an SSE event answered (a `result` or an `error`). */
  onAnswered?: (id: string | number) => void;
  /** Aborted: stop relaying and leave the node response open for the caller to finish. */
  stop?: AbortSignal;
}

/**
 * Streams a web Response into the node response: headers first (an SSE stream must reach the client
 * before its first event), then each chunk as it comes, honouring back-pressure. Stops reading when
 * the client goes away, and when `hooks.stop` fires (then the response is left open, not ended).
 */
export async function sendWebResponse(res: ServerResponse, response: Response, extraHeaders: Record<string, string>, hooks: RelayHooks = {}): Promise<void> {
  const headers: Record<string, string | string[]> = { ...extraHeaders };
  response.headers.forEach((value, name) => { headers[name] = value; });
  res.writeHead(response.status, headers);
  if (!response.body) { res.end(); return; }
  res.flushHeaders();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const onClose = (): void => { void reader.cancel().catch(() => undefined); };
  res.once('close', onClose);
  hooks.stop?.addEventListener('abort', onClose, { once: true });
  const sse = hooks.onAnswered && (response.headers.get('content-type') ?? '').startsWith('text/event-stream') ? sseAnswers(hooks.onAnswered) : undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || hooks.stop?.aborted) break;
      if (res.destroyed) break;
      sse?.(value);
      if (!res.write(value)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    }
  } catch {
    // The stream was cancelled (client gone, or the handler was closed): nothing more to send.
  } finally {
    res.off('close', onClose);
    hooks.stop?.removeEventListener('abort', onClose);
    if (!hooks.stop?.aborted && !res.writableEnded && !res.destroyed) res.end();
  }
}

/** Reads SSE bytes as they pass and reports the id of every JSON-RPC answer in them. */
function sseAnswers(onAnswered: (id: string | number) => void): (chunk: Uint8Array) => void {
  const decoder = new TextDecoder();
  let pending = '';
  return (chunk) => {
    pending += decoder.decode(chunk, { stream: true });
    const events = pending.split(/\r?\n\r?\n/);
    pending = events.pop() ?? '';
    for (const event of events) {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (!data) continue;
      try {
        const m = JSON.parse(data) as { id?: unknown; result?: unknown; error?: unknown };
        if ((typeof m.id === 'string' || typeof m.id === 'number') && ('result' in m || 'error' in m)) onAnswered(m.id);
      } catch {
        // Not JSON: not an answer.
      }
    }
  };
}
