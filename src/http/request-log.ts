import { randomUUID } from '../node-crypto.js';
import type { IncomingHttpHeaders } from 'node:http';

/** What one log line says about the MCP side of an HTTP request. */
export interface McpRequestLabel { mcpMethod?: string; tool?: string; batch?: number }

/** Keeps client-chosen strings short and printable before they reach a log line. */
function label(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const clean = value.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The JSON-RPC method and, for tools/call (or prompts/get, resources/read), the name it targets:
 * from the parsed body first, else from the 2026-07-28 `Mcp-Method` / `Mcp-Name` headers. Only
 * these two headers are ever read for the log.
 */
export function describeMcpRequest(body: unknown, headers: IncomingHttpHeaders): McpRequestLabel {
  const out: McpRequestLabel = {};
  let message: unknown = body;
  if (Array.isArray(body)) {
    out.batch = body.length;
    message = body[0];
  }
  if (message !== null && typeof message === 'object') {
    const m = message as { method?: unknown; params?: { name?: unknown; uri?: unknown } };
    const method = label(m.method);
    if (method) out.mcpMethod = method;
    const name = label(m.params?.name) ?? label(m.params?.uri);
    if (name && method !== undefined && method !== 'initialize') out.tool = name;
  }
  out.mcpMethod ??= label(single(headers, 'mcp-method'));
  out.tool ??= label(single(headers, 'mcp-name'));
  return out;
}

/** Reuses a load balancer's `X-Request-Id` when it looks like one (nginx's `$request_id` does); else a fresh UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = single(headers, 'x-request-id');
  return given !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Ids of the JSON-RPC requests in a parsed body (one message or a batch); notifications and answers have none. */
export function requestIdsOf(body: unknown): (string | number)[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) => {
    if (m === null || typeof m !== 'object') return [];
    const { id, method } = m as { id?: unknown; method?: unknown };
    return typeof method === 'string' && (typeof id === 'string' || typeof id === 'number') ? [id] : [];
  });
}
