import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './tools/common.js';
import { registerCreateCustomImage } from './tools/create-custom-image.js';
import { VERSION } from './version.js';

export const SERVER_INSTRUCTIONS = `Creates custom images of Alibaba Cloud Simple Application Server (SWAS) instances.
A custom image is made from a finished system-disk snapshot of a server (plus, optionally, one data-disk snapshot).
Use list_instances to find the server and its region, list_snapshots to find a finished system snapshot (or create_snapshot to make one),
create_custom_image with DryRun true to show the plan, then create_custom_image to create it. Repeating a create call is safe.`;

/** Builds the MCP server and registers its tools; the tools hold all the logic. */
export function buildServer(ctx: ToolContext): McpServer {
  const server = new McpServer(
    { name: 'swas-image-mcp', title: 'SWAS custom images', version: VERSION },
    { capabilities: { logging: {} }, instructions: SERVER_INSTRUCTIONS },
  );
  if (!ctx.config.readOnly) {
    registerCreateCustomImage(server, ctx);
  }
  return server;
}
