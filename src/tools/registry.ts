import type { CallToolResult, ClientCapabilities, InputRequiredResult, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server';
import type { McpUiToolMeta } from '@modelcontextprotocol/ext-apps';
import type { z } from 'zod';
import type { ConsentMode } from '../config.js';
import type { ConsentRecord } from '../consent/approvals.js';
import type { ToolContext } from './common.js';

/**
 * read: changes nothing; write: creates or changes; destructive: deletes or overwrites (opt-in);
 * purchase: creates something that is paid for (opt-in, like destructive).
 */
export type ToolKind = 'read' | 'write' | 'destructive' | 'purchase';

/** What one tools/call gives a handler besides its arguments. */
export interface ToolCall {
  signal: AbortSignal;
  /** Sends notifications/progress when, and only when, the client asked for progress. */
  progress: (progress: number, message: string, total?: number) => Promise<void>;
  /** The SDK's request context, for elicitation and multi-round-trip input. */
  mcp: ServerContext;
  /** What a 2025-era client declared at initialize (2026-era requests carry their own). */
  clientCapabilities?: ClientCapabilities;
  /** The tool's results are shown in the plan view, whose buttons can decide an approval (the `app` consent channel). */
  planView?: boolean;
  /** How consent was given for this call's change (set by the consent step; the ledger records it). */
  consent?: ConsentRecord;
  /** Changes made that the audit ledger could not record: added to the answer's text. */
  ledgerWarnings?: string[];
}

/** Everything about one tool: what the model reads, what the operator's RAM policy needs, and the handler. */
export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  /** Built on first use (see lazySchema): start-up does not pay for them. */
  inputSchema: () => I;
  outputSchema: () => O;
  annotations: ToolAnnotations;
  kind: ToolKind;
  /** Publish ClientToken in the input schema (it is accepted either way; the server derives one). */
  publishClientToken?: boolean;
  /** RAM actions the tool calls, e.g. "swas-open:ListInstances". */
  ramActions: readonly string[];
  /** Acts on every profile itself (list_profiles): takes no `Profile` argument. */
  profileFree?: boolean;
  /**
   * The MCP App view a host shows with this tool's result (`_meta.ui`; see src/apps). `visibility:
   * ["app"]` hides the tool from the model: only a view can call it.
   */
  ui?: McpUiToolMeta;
  /** A consent tool may answer "input required" (the person is asked; the SDK serves both eras). */
  handler(args: z.output<I>, call: ToolCall, ctx: ToolContext): Promise<CallToolResult | InputRequiredResult>;
}

/** Identity with inference: each tool file exports `defineTool({...})`. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/** The tools one server instance registers, given its mode. */
export interface ToolSelection {
  readOnly: boolean;
  allowDestructive: boolean;
  /** Also the tools that spend money; off when omitted. */
  allowPurchase?: boolean;
  /** Only these names (within the mode); undefined = all. */
  only?: readonly string[];
}

/** Read-only mode keeps tools whose readOnlyHint is true; destructive and purchase tools need their opt-in; read-only wins. */
export function selectTools(all: readonly ToolDefinition[], sel: ToolSelection): ToolDefinition[] {
  return all.filter((t) => {
    if (sel.readOnly && t.annotations.readOnlyHint !== true) return false;
    if (t.kind === 'destructive' && !sel.allowDestructive) return false;
    if (t.kind === 'purchase' && sel.allowPurchase !== true) return false;
    return sel.only === undefined || sel.only.includes(t.name);
  });
}

/** Names in `only` that no tool has: a start-up error. */
export function unknownToolNames(all: readonly ToolDefinition[], only: readonly string[]): string[] {
  const known = new Set(all.map((t) => t.name));
  return only.filter((n) => !known.has(n));
}

/**
 * The arguments a tool accepts but does not publish (see publishInput): ClientToken where the
 * server derives one, and the consent argument of the modes not in use (a ConfirmToken is read only
 * with SWAS_MCP_CONSENT=confirm, an ApprovalId only with human).
 */
export function unpublishedInputs(tool: Pick<ToolDefinition, 'publishClientToken'>, consentMode: ConsentMode = 'human'): readonly string[] {
  return [
    ...(tool.publishClientToken ? [] : ['ClientToken']),
    ...(consentMode === 'confirm' ? [] : ['ConfirmToken']),
    ...(consentMode === 'human' ? [] : ['ApprovalId']),
  ];
}

/** The result fields no answer carries in this consent mode (the same split as unpublishedInputs). */
export function unpublishedOutputs(consentMode: ConsentMode = 'human'): readonly string[] {
  return [
    ...(consentMode === 'confirm' ? [] : ['ConfirmToken', 'ConfirmTokenExpiresAt']),
    ...(consentMode === 'human' ? [] : ['ApprovalId', 'ApprovalExpiresAt', 'ApprovalUrl']),
  ];
}

/** A tool only a view may call (`visibility: ["app"]`): never counted or listed as the model's. */
export function appOnly(tool: Pick<ToolDefinition, 'ui'>): boolean {
  const v = tool.ui?.visibility;
  return v !== undefined && !v.includes('model');
}
