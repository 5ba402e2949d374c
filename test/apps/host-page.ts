// The browser half of the test host: an MCP Apps host built on ext-apps' AppBridge. Each view is
// rendered in a sandboxed iframe (scripts only, opaque origin) from the HTML the server returned;
// the view's tool calls go to the Node half (window.hostCallTool), which holds the MCP client
// connected to the real server process and refuses tools the view may not call.
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

interface CallParams { name: string; arguments?: Record<string, unknown> }
type ToolResultLike = Parameters<AppBridge['sendToolResult']>[0];

declare global {
  interface Window {
    /** Provided by the Node half (page.exposeFunction). */
    hostCallTool(view: string, params: CallParams): Promise<ToolResultLike>;
    /** Called by the Node half: renders a view and hands it the model's call. */
    renderView(opts: RenderOptions): Promise<void>;
    setViewContext(view: string, ctx: McpUiHostContext): void;
    closeView(view: string): Promise<void>;
    /** Called by the Node half when a test host is done with the page: the next one starts empty. */
    closeAllViews(): Promise<void>;
    /** Sends the view a `ping` and a request of no method it knows: its answer to each (an error by its code). */
    probeView(view: string): Promise<{ ping: unknown; unknown: unknown }>;
  }
}

interface RenderOptions {
  view: string;
  html: string;
  toolArgs: Record<string, unknown>;
  toolResult: ToolResultLike;
  hostContext: McpUiHostContext;
}

// ext-apps' PostMessageTransport logs every message it sends and parses with console.debug: ~110
// console events a run, each previewed by Chromium, sent over the DevTools protocol and turned
// into handles by Playwright, for lines no test reads (the Node half keeps only errors).
console.debug = () => undefined;

const bridges = new Map<string, { bridge: AppBridge; frame: HTMLIFrameElement }>();

window.renderView = async ({ view, html, toolArgs, toolResult, hostContext }) => {
  await window.closeView(view);
  const frame = document.createElement('iframe');
  frame.id = `view-${view}`;
  frame.title = view;
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.style.cssText = 'width: 900px; height: 640px; border: 1px solid #888; display: block;';
  document.body.append(frame);
  const bridge = new AppBridge(null, { name: 'swas-test-host', version: '1' }, { serverTools: {}, logging: {} }, { hostContext });
  bridge.oncalltool = async (params) => window.hostCallTool(view, { name: params.name, arguments: params.arguments ?? {} });
  bridge.onsizechange = ({ height }) => { if (height) frame.style.height = `${Math.min(Math.max(height, 200), 2000)}px`; };
  const initialized = new Promise<void>((resolve) => { bridge.oninitialized = () => resolve(); });
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  bridges.set(view, { bridge, frame });
  frame.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: toolArgs });
  await bridge.sendToolResult(toolResult);
};

window.setViewContext = (view, ctx) => {
  bridges.get(view)?.bridge.setHostContext(ctx);
};

window.closeView = async (view) => {
  const open = bridges.get(view);
  if (!open) return;
  bridges.delete(view);
  await open.bridge.teardownResource({}).catch(() => undefined);
  await open.bridge.close().catch(() => undefined);
  open.frame.remove();
};

/** Takes any result: the view's answer to a request of no spec method is what is looked at. */
const anyResult = { '~standard': { version: 1, vendor: 'swas-test-host', validate: (value: unknown) => ({ value }) } } as const;

window.probeView = async (view) => {
  const open = bridges.get(view);
  if (!open) throw new Error(`no view ${view}`);
  const ping: unknown = await open.bridge.request({ method: 'ping' });
  const unknown = await open.bridge.request({ method: 'swas-test/unknown', params: {} }, anyResult)
    .then((result) => ({ result }), (err: unknown) => ({ code: (err as { code?: unknown }).code }));
  return { ping, unknown };
};

window.closeAllViews = async () => {
  for (const view of [...bridges.keys()]) await window.closeView(view);
};
