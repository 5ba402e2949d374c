// The view's half of the MCP Apps protocol: JSON-RPC 2.0 over postMessage with the host's window,
// as ext-apps' App speaks it, reduced to what these views use. The messages are typed by ext-apps'
// own spec types (type imports only): App itself brings the MCP client's protocol and zod with
// every schema of MCP and of MCP Apps, ~400 kB that each view would parse and run (building those
// schemas at start-up alone cost more CPU than the view), for six messages.
import type {
  LATEST_PROTOCOL_VERSION, McpUiHostContext, McpUiHostContextChangedNotification, McpUiInitializedNotification, McpUiInitializeRequest,
  McpUiInitializeResult, McpUiResourceTeardownRequest, McpUiSizeChangedNotification, McpUiToolInputNotification,
  McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps';

/** The MCP Apps protocol version these views speak: the compiler holds it to ext-apps' own. */
export const PROTOCOL_VERSION: typeof LATEST_PROTOCOL_VERSION = '2026-01-26';
/** As long as the MCP SDK waits for an answer before it gives up on a request. */
const REQUEST_TIMEOUT_MS = 60_000;

type Json = Record<string, unknown>;
interface Message { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown }

export interface HostHandlers {
  onToolInput?(params: McpUiToolInputNotification['params']): void;
  onToolResult?(params: McpUiToolResultNotification['params']): void;
  /** The host's context changed; `context` is the whole context with the change merged in. */
  onHostContextChanged?(context: McpUiHostContext): void;
  onTeardown?(): void;
}

export interface HostConnection {
  hostContext(): McpUiHostContext | undefined;
  /** Sends a request to the host; an error answer (or none within a minute) rejects. */
  request(method: string, params: Json): Promise<unknown>;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Connects to the host (the parent window): `ui/initialize`, then `ui/notifications/initialized`,
 * then tells the host the page's size whenever it changes, as App does by default.
 */
export async function connectToHost(appInfo: McpUiInitializeRequest['params']['appInfo'], handlers: HostHandlers): Promise<HostConnection> {
  const host = window.parent;
  let nextId = 1;
  let context: McpUiHostContext | undefined;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  const send = (message: Json) => host.postMessage({ jsonrpc: '2.0', ...message }, '*');
  const notify = <N extends { method: string; params?: unknown }>(n: N) => send({ ...n });

  const request = (method: string, params: Json) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => { pending.delete(id); reject(new Error('Request timed out')); }, REQUEST_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    send({ id, method, params });
  });

  const answer = (id: unknown, result: Json) => send({ id, result });

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== host || !isObject(event.data)) return;
    const m = event.data as Message;
    if (m.jsonrpc !== '2.0') return;
    if (typeof m.method !== 'string') {
      // An answer to one of ours.
      const waiting = typeof m.id === 'number' ? pending.get(m.id) : undefined;
      if (!waiting) return;
      pending.delete(m.id as number);
      clearTimeout(waiting.timer);
      if (isObject(m.error)) waiting.reject(new Error(typeof m.error.message === 'string' ? m.error.message : 'The host refused the request.'));
      else waiting.resolve(m.result);
      return;
    }
    const params = isObject(m.params) ? m.params : {};
    if (m.id !== undefined && m.id !== null) {
      // A request of the host's.
      if (m.method === ('ui/resource-teardown' satisfies McpUiResourceTeardownRequest['method'])) { handlers.onTeardown?.(); answer(m.id, {}); }
      else if (m.method === 'ping') answer(m.id, {});
      else send({ id: m.id, error: { code: -32601, message: 'Method not found' } });
      return;
    }
    switch (m.method as string) {
      case 'ui/notifications/tool-input' satisfies McpUiToolInputNotification['method']:
        handlers.onToolInput?.(params as McpUiToolInputNotification['params']);
        break;
      case 'ui/notifications/tool-result' satisfies McpUiToolResultNotification['method']:
        handlers.onToolResult?.(params as McpUiToolResultNotification['params']);
        break;
      case 'ui/notifications/host-context-changed' satisfies McpUiHostContextChangedNotification['method']:
        context = { ...context, ...(params as McpUiHostContext) };
        handlers.onHostContextChanged?.(context);
        break;
      default: // other notifications (partial input, cancellation) are not for these views
    }
  });

  const init: McpUiInitializeRequest['params'] = { appInfo, appCapabilities: {}, protocolVersion: PROTOCOL_VERSION };
  const result = await request('ui/initialize' satisfies McpUiInitializeRequest['method'], init);
  if (!isObject(result)) throw new Error('The host sent no initialize result.');
  context = (result as McpUiInitializeResult).hostContext;
  notify<McpUiInitializedNotification>({ method: 'ui/notifications/initialized' });
  reportSize((size) => notify<McpUiSizeChangedNotification>({ method: 'ui/notifications/size-changed', params: size }));
  return { hostContext: () => context, request };
}

/** Reports the page's width and content height once and whenever either changes, a frame later. */
function reportSize(report: (size: { width: number; height: number }) => void): void {
  let scheduled = false;
  let width = 0;
  let height = 0;
  const measure = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const root = document.documentElement;
      const was = root.style.height;
      root.style.height = 'max-content';
      const h = Math.ceil(root.getBoundingClientRect().height);
      root.style.height = was;
      const w = Math.ceil(window.innerWidth);
      if (w !== width || h !== height) { width = w; height = h; report({ width, height }); }
    });
  };
  measure();
  const observer = new ResizeObserver(measure);
  observer.observe(document.documentElement);
  observer.observe(document.body);
}

/** The host's theme on the document, as ext-apps' applyDocumentTheme sets it. */
export function applyDocumentTheme(theme: 'light' | 'dark'): void {
  const root = document.documentElement;
  root.setAttribute('data-theme', theme);
  root.style.colorScheme = theme;
}

/** The host's style variables on the document, as ext-apps' applyHostStyleVariables sets them. */
export function applyHostStyleVariables(variables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(variables)) if (value !== undefined) document.documentElement.style.setProperty(name, value);
}
