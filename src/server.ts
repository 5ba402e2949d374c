import { serverInstructions } from './server-instructions.js';
import { McpServer, type ClientCapabilities, type ServerContext } from '@modelcontextprotocol/server';
import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import { registerAppViews } from './apps/register.js';
import { clientCaps, consentRequestStateVerify, PLAN_VIEW_URI } from './consent/index.js';
import { ServerShutdown } from './swas/errors.js';
import { registerImageServerPrompt } from './prompts/image-server.js';
import type { ToolContext } from './tools/common.js';
import { inputRefusal } from './tools/input-refusal.js';
import { publish, publishInput } from './tools/publish.js';
import { runProfiled } from './profiles/calls.js';
import { profiledInput, profiledOutput, type ProfiledArgs } from './profiles/schemas.js';
import { decidePlanTool } from './tools/decide-plan.js';
import { appOnly, unpublishedInputs, unpublishedOutputs, type ToolCall, type ToolDefinition } from './tools/registry.js';
import { VERSION } from './version.js';

/** What the shutdown needs to answer a call itself: its JSON-RPC id and its tool. */
export interface RunningCall { id?: string | number; tool?: string }

/**
 * The calls in flight, and a signal that stops them when the server shuts down. A stopped call
 * still answers (a wait ends early with what it knows); the client's own cancel is the SDK's.
 */
export class CallLifecycle {
  private readonly stopper = new AbortController();
  private readonly running = new Map<Promise<unknown>, RunningCall>();

  get signal(): AbortSignal { return this.stopper.signal; }
  get inFlight(): number { return this.running.size; }
  /** The calls that have not answered yet (after stopAndDrain: those that did not answer within its bound). */
  get open(): RunningCall[] { return [...this.running.values()]; }

  track<T>(call: Promise<T>, about: RunningCall = {}): Promise<T> {
    this.running.set(call, about);
    const done = () => { this.running.delete(call); };
    call.then(done, done);
    return call;
  }

  /** Stops every call in flight and waits (at most `boundMs`) for their answers to be written. */
  async stopAndDrain(boundMs: number): Promise<void> {
    this.stopper.abort(new ServerShutdown());
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, boundMs); });
    await Promise.race([Promise.allSettled([...this.running.keys()]), bound]);
    clearTimeout(timer);
    // The SDK writes each answer right after its handler resolves.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The per-call view a handler gets of the SDK's request context. */
export function toolCall(mcp: ServerContext, stop?: AbortSignal, clientCapabilities?: ClientCapabilities): ToolCall {
  const token = mcp.mcpReq._meta?.progressToken;
  return {
    ...(clientCapabilities ? { clientCapabilities } : {}),
    signal: stop ? AbortSignal.any([mcp.mcpReq.signal, stop]) : mcp.mcpReq.signal,
    mcp,
    progress: async (progress, message, total) => {
      if (token === undefined || mcp.mcpReq.signal.aborted) return;
      await mcp.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, message, ...(total !== undefined ? { total } : {}) },
      }).catch(() => undefined);
    },
  };
}

/** A change the ledger could not record is still reported as done, with a warning that says so. */
function withLedgerWarnings<R extends object>(result: R, warnings: readonly string[] | undefined): R {
  if (!warnings?.length || !('content' in result) || !Array.isArray(result.content)) return result;
  const text = warnings.map((w) => `Ledger warning: ${w} Tell the operator of this MCP server: the audit ledger is not writable.`).join('\n');
  return { ...result, content: [...(result.content as unknown[]), { type: 'text', text }] };
}

/** Builds one MCP server instance from the selected tools; the tools hold all the logic. */
export function buildServer(ctx: ToolContext, tools: readonly ToolDefinition[], lifecycle?: CallLifecycle): McpServer {
  const server = new McpServer(
    { name: 'swas-image-mcp', title: 'SWAS custom images', version: VERSION },
    // The largest valid call has well under 1,000 elements; the cap refuses huge or deeply
    // nested arguments before zod walks them.
    {
      capabilities: { tools: {}, prompts: {}, resources: {} }, instructions: serverInstructions(tools), maxToolInputElements: 1_000,
      // The only requestState this server mints is consent's, signed: anything else is refused on the wire.
      requestState: { verify: consentRequestStateVerify(ctx.consent) },
      // A client that declared elicitation and never answers holds a call no longer than this.
      inputRequired: { roundTimeoutMs: ctx.config.consentAnswerTimeoutMs },
    },
  );
  const profiles = ctx.profiles;
  // The plan view's buttons, where a person approves changes (human consent) and a tool shows the view.
  const offered = ctx.approvals && ctx.config.consentMode === 'human' && tools.some((t) => t.ui?.resourceUri !== undefined)
    ? [...tools, decidePlanTool as unknown as ToolDefinition] : tools;
  for (const tool of offered) {
    // With profiles every tool acts on one (list_profiles on all); only several publish `Profile`.
    const profiled = profiles && !tool.profileFree;
    const several = profiled && profiles.several;
    // The tool's own input is parsed here, so that a refusal has our error shape (the SDK is given
    // a schema that lets every value through); with several profiles, Profile is split off first.
    const unpublished = unpublishedInputs(tool, ctx.config.consentMode);
    const input = several ? profiledInput(tool, profiles, unpublished) : publishInput(tool.inputSchema, unpublished, tool.name);
    const resultsUnpublished = unpublishedOutputs(ctx.config.consentMode);
    const config = {
      title: tool.title,
      description: tool.description,
      inputSchema: input.sdk,
      outputSchema: several ? profiledOutput(tool, resultsUnpublished) : publish(tool.outputSchema, 'output', resultsUnpublished, tool.name),
      annotations: tool.annotations,
    };
    const handler = async (raw: unknown, mcp: ServerContext) => {
      const parsed = await input.parse(raw);
      if (!parsed.success) return inputRefusal(tool, parsed.error, raw, input.argumentNames(), ctx);
      const args: unknown = parsed.data;
      // getClientCapabilities is the 2025 era's source (deprecated, as that era is); 2026 requests carry theirs.
      const view = toolCall(mcp, lifecycle?.signal, server.server.getClientCapabilities());
      if (tool.ui?.resourceUri === PLAN_VIEW_URI) view.planView = true;
      const run = !profiled ? tool.handler(args, view, ctx)
        : runProfiled(tool, profiles, several ? args as ProfiledArgs : { args: args as Record<string, unknown>, accountNames: {} }, view, ctx);
      const handled = run.then((result) => withLedgerWarnings(result, view.ledgerWarnings));
      const call = ctx.idle ? ctx.idle.track(handled) : handled;
      return lifecycle ? lifecycle.track(call, { id: mcp.mcpReq.id, tool: tool.name }) : call;
    };
    // A tool with a view: ext-apps writes `_meta.ui` and the legacy `_meta["ui/resourceUri"]`.
    if (tool.ui) registerAppTool(server, tool.name, { ...config, _meta: { ui: tool.ui } }, handler);
    else server.registerTool(tool.name, config, handler);
  }
  if (offered.some(appOnly)) listAppOnlyToViewsOnly(server, new Set(offered.filter(appOnly).map((t) => t.name)));
  registerImageServerPrompt(server, ctx);
  registerAppViews(server);
  return server;
}


type ListTools = (request: unknown, ctx: ServerContext) => Promise<{ tools?: { name: string }[] }>;

/**
 * App-only tools are listed only to clients that render MCP Apps (they declared the UI
 * extension, on this request or at initialize): any other client never learns of them. The SDK
 * builds tools/list from every enabled tool, so its handler is wrapped once all are registered.
 */
function listAppOnlyToViewsOnly(server: McpServer, names: ReadonlySet<string>): void {
  const low = server.server as unknown as { _getRequestHandler(method: string): ListTools | undefined };
  const list = low._getRequestHandler('tools/list');
  if (!list) return;
  server.server.removeRequestHandler('tools/list');
  server.server.setRequestHandler('tools/list', async (request, mcp) => {
    const listed = await list(request, mcp);
    if (clientCaps(mcp, server.server.getClientCapabilities()).app) return listed as never;
    return { ...listed, tools: (listed.tools ?? []).filter((t) => !names.has(t.name)) } as never;
  });
}
