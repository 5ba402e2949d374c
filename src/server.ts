import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import type { ToolContext } from './tools/common.js';
import { registerImageServerPrompt } from './prompts/image-server.js';
import { registerCreateCustomImage } from './tools/create-custom-image.js';
import { registerCreateSnapshot } from './tools/create-snapshot.js';
import { registerListCustomImages } from './tools/list-custom-images.js';
import { registerListInstances } from './tools/list-instances.js';
import { registerListSnapshots } from './tools/list-snapshots.js';
import { VERSION } from './version.js';

export const SERVER_INSTRUCTIONS = `Creates custom images of Alibaba Cloud Simple Application Server (SWAS) instances.
A custom image is made from a finished system-disk snapshot of a server (plus, optionally, one data-disk snapshot).
Use list_instances to find the server and its region, list_snapshots to find a finished system snapshot (or create_snapshot to make one),
create_custom_image with DryRun true to show the plan, then create_custom_image to create it. Repeating a create call is safe.`;

/**
 * The SDK builds an Ajv instance (compiling its meta-schemas) in every server's constructor, for
 * elicitation only. This server never elicits, so Ajv is built on first use instead of at start-up.
 */
class LazyAjvValidator implements jsonSchemaValidator {
  private inner?: AjvJsonSchemaValidator;
  getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]) {
    this.inner ??= new AjvJsonSchemaValidator();
    return this.inner.getValidator<T>(schema);
  }
}

/** Builds the MCP server and registers its tools; the tools hold all the logic. */
export function buildServer(ctx: ToolContext): McpServer {
  const server = new McpServer(
    { name: 'swas-image-mcp', title: 'SWAS custom images', version: VERSION },
    // The largest valid call (20 tags) has well under 100 elements; the cap refuses huge or deeply
    // nested arguments before zod walks them.
    { capabilities: { logging: {} }, instructions: SERVER_INSTRUCTIONS, maxToolInputElements: 1_000,
      jsonSchemaValidator: new LazyAjvValidator() },
  );
  registerListInstances(server, ctx);
  registerListSnapshots(server, ctx);
  registerListCustomImages(server, ctx);
  if (!ctx.config.readOnly) {
    registerCreateSnapshot(server, ctx);
    registerCreateCustomImage(server, ctx);
  }
  registerImageServerPrompt(server, ctx);
  return server;
}
