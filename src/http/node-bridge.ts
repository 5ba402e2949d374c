import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * node:http <-> web-standard Request/Response, just what the SDK's `createMcpHandler` needs. The
 * body is read here, under a byte cap, so an oversized request costs no more than the cap.
 */
export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // discard, so the 413 can still be delivered on this connection
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyRead): void => { if (!settled) { settled = true; resolve(r); } };
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

/**
 * Streams a web Response into the node response: headers first (an SSE stream must reach the client
 * before its first event), then each chunk as it comes, honouring back-pressure. Stops reading when
 * the client goes away.
 */
export async function sendWebResponse(res: ServerResponse, response: Response, extraHeaders: Record<string, string>): Promise<void> {
  const headers: Record<string, string | string[]> = { ...extraHeaders };
  response.headers.forEach((value, name) => { headers[name] = value; });
  res.writeHead(response.status, headers);
  if (!response.body) { res.end(); return; }
  res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = (): void => { void reader.cancel().catch(() => undefined); };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    }
  } catch {
    // The stream was cancelled (client gone, or the handler was closed): nothing more to send.
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}
