#!/usr/bin/env node
// Baseline for `npm run bench`: the smallest useful MCP SDK stdio server (one zod tool), loaded
// from node_modules as a plain SDK user would. Nothing but the transport writes to stdout.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'minimal-baseline', version: '0.0.0' });
server.registerTool('echo', {
  description: 'Echo the given text.',
  inputSchema: { text: z.string().min(1).max(100).describe('Text to echo') },
}, async ({ text }) => ({ content: [{ type: 'text', text }] }));

await server.connect(new StdioServerTransport());
