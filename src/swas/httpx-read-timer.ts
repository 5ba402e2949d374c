import type { IncomingMessage } from 'node:http';

/**
 * httpx, the HTTP layer under Alibaba's SDK, starts a read timer for every request and keeps it on
 * the socket; only its own `read()` clears it. The SDK reads response bodies itself, so each timer
 * runs its whole read timeout (10 s by default), and its closure holds the request, the response
 * and the body. A burst of 1,000 calls held ~1,400 requests at once, and the heap they grew was not
 * handed back (RSS 125 MB a minute later against 57 MB for a minimal server). Clearing the timer
 * once the response is complete releases them at once; a response still being read keeps its
 * deadline.
 */
type HttpxRequest = (url: string, opts: unknown) => Promise<IncomingMessage>;
interface Httpx { request: HttpxRequest; [patched]?: true }
const patched = Symbol('swas-image-mcp:read-timer-cleared');

function readTimerKey(socket: object): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((s) => s.description === 'TIMER::READ_TIMER');
}

/** Wraps httpx.request (the module's exports, shared with the SDK) once per process. */
export function clearReadTimersWhenDone(httpx: Httpx): void {
  if (httpx[patched] || typeof httpx.request !== 'function') return;
  const original = httpx.request;
  httpx.request = async function request(this: unknown, url: string, opts: unknown) {
    const response = await original.call(this, url, opts);
    const socket = response.socket as unknown as Record<symbol, unknown> | null;
    if (socket) {
      const clear = () => {
        const key = readTimerKey(socket);
        const timer = key ? socket[key] : undefined;
        if (timer) { clearTimeout(timer as NodeJS.Timeout); socket[key!] = null; }
      };
      response.once('end', clear);
    }
    return response;
  };
  httpx[patched] = true;
}
