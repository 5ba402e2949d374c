// What every view shares: the connection to the host, the host's theme and locale, tool calls
// through the host, and DOM helpers that put API text on the page as text only.
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { applyDocumentTheme, applyHostStyleVariables, connectToHost, type HostConnection } from './host.js';
import './base.css';

export interface ToolCallResult {
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface ViewHooks {
  /** The arguments the model called the view's tool with (sent before the result). */
  onToolInput?(args: Record<string, unknown>): void;
  /** The result of the call the host rendered this view for. */
  onToolResult?(result: ToolCallResult): void;
  /** The host's theme or locale changed (also called once after connecting). */
  onContext?(ctx: ViewContext): void;
  /** The host is about to remove the view: stop polling. */
  onTeardown?(): void;
}

export interface ViewContext { theme: 'light' | 'dark'; locale: string }

export interface View {
  host: HostConnection;
  context(): ViewContext;
  /** The tool the host rendered this view for, when the host says so. */
  toolName(): string | undefined;
  /** Calls one of the server's tools through the host; a refused or failed call throws. */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolCallResult>;
}

function contextOf(host: McpUiHostContext | undefined): ViewContext {
  const fallback = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return { theme: host?.theme === 'dark' ? 'dark' : 'light', locale: host?.locale || fallback || 'en' };
}

function applyContext(host: McpUiHostContext | undefined): ViewContext {
  const ctx = contextOf(host);
  applyDocumentTheme(ctx.theme);
  document.documentElement.dataset.theme = ctx.theme;
  document.documentElement.lang = ctx.locale;
  if (host?.styles?.variables) applyHostStyleVariables(host.styles.variables);
  return ctx;
}

/** Connects to the host; the hooks must be given now, as the host may send the result at once. */
export async function startView(name: string, hooks: ViewHooks): Promise<View> {
  let current = contextOf(undefined);
  const host = await connectToHost({ name: `swas-image-mcp-${name}`, version: '1' }, {
    onToolInput: (p) => hooks.onToolInput?.(p.arguments ?? {}),
    onToolResult: (p) => hooks.onToolResult?.(p as ToolCallResult),
    onTeardown: () => hooks.onTeardown?.(),
    onHostContextChanged: (ctx) => {
      current = applyContext(ctx);
      hooks.onContext?.(current);
    },
  });
  current = applyContext(host.hostContext());
  hooks.onContext?.(current);
  return {
    host,
    context: () => current,
    toolName: () => host.hostContext()?.toolInfo?.tool.name,
    callTool: async (tool, args) => (await host.request('tools/call', { name: tool, arguments: args })) as ToolCallResult,
  };
}

type Child = Node | string | null | undefined | false;

/**
 * An element whose text is set with textContent and whose children are nodes or plain strings:
 * nothing a view shows is ever parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) node.setAttribute(k, v);
  if (props.text !== undefined) node.textContent = props.text;
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A labelled button reachable by keyboard (a real <button>). */
export function button(label: string, onClick: () => void, opts: { id?: string; ariaLabel?: string } = {}): HTMLButtonElement {
  const b = el('button', { text: label, attrs: { type: 'button', ...(opts.id ? { id: opts.id } : {}), 'aria-label': opts.ariaLabel ?? label } });
  b.addEventListener('click', onClick);
  return b;
}

/** "3 days" in the host's locale. */
export function ageWords(iso: string | undefined, now: number, locale: string): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] = s < 90 ? [s, 'second'] : s < 5400 ? [Math.round(s / 60), 'minute']
    : s < 129600 ? [Math.round(s / 3600), 'hour'] : [Math.round(s / 86400), 'day'];
  return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(-value, unit);
}

export function dateWords(iso: string | undefined, locale: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
}

/** The failure line of a result: its Error.Message, else its text. */
export function failureText(result: ToolCallResult): string | undefined {
  const error = result.structuredContent?.Error as { Message?: unknown } | undefined;
  if (error && typeof error.Message === 'string') return error.Message;
  if (result.isError) return (result.content ?? []).map((c) => c.text ?? '').join('\n') || 'The call failed.';
  return undefined;
}
