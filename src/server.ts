import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { registerImageServerPrompt } from './prompts/image-server.js';
import type { ToolContext } from './tools/common.js';
import { publish } from './tools/publish.js';
import type { ToolCall, ToolDefinition } from './tools/registry.js';
import { VERSION } from './version.js';

export const SERVER_INSTRUCTIONS = `Manages custom images of Alibaba Cloud Simple Application Server (SWAS) instances.
A custom image is made from a finished system-disk snapshot of a server (plus, optionally, one data-disk snapshot).
Use list_instances to find the server and its region, list_snapshots to find a finished system snapshot (or create_snapshot to make one),
create_custom_image with DryRun true to show the plan, then create_custom_image to create it. Repeating a create call is safe.
Snapshots and images take minutes to tens of minutes to finish.`;

/** The per-call view a handler gets of the SDK's request context. */
export function toolCall(mcp: ServerContext): ToolCall {
  const token = mcp.mcpReq._meta?.progressToken;
  return {
    signal: mcp.mcpReq.signal,
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

/** Builds one MCP server instance from the selected tools; the tools hold all the logic. */
export function buildServer(ctx: ToolContext, tools: readonly ToolDefinition[]): McpServer {
  const server = new McpServer(
    { name: 'swas-image-mcp', title: 'SWAS custom images', version: VERSION },
    // The largest valid call has well under 1,000 elements; the cap refuses huge or deeply
    // nested arguments before zod walks them.
    { capabilities: { tools: {}, prompts: {} }, instructions: SERVER_INSTRUCTIONS, maxToolInputElements: 1_000 },
  );
  for (const tool of tools) {
    server.registerTool(tool.name, {
      title: tool.title,
      description: tool.description,
      inputSchema: publish(tool.inputSchema, 'input'),
      outputSchema: publish(tool.outputSchema, 'output'),
      annotations: tool.annotations,
    }, (args: unknown, mcp: ServerContext) => tool.handler(args, toolCall(mcp), ctx));
  }
  registerImageServerPrompt(server, ctx);
  return server;
}
