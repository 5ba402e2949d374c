import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema as V1CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeEra, type EraResult } from '../helpers/era-client.js';
import { serveInProcess } from '../helpers/in-process.js';

/**
 * The v1 SDK's client, a client implementation of its own, against the server composed in this
 * process and served as stdio mode serves it (the client's opening picks the era): it lists and
 * calls tools, gets progress, cancels, reads structured results and explained errors. Both
 * protocol eras over the built server's real stdio: test/e2e/client-eras.test.ts.
 */
describeEra('v1 SDK client', async (env) => {
  const client = new V1Client({ name: 'era-test-v1', version: '1.0.0' });
  const server = await serveInProcess(client, env, [], { eras: true });
  return {
    asked: [],
    stderr: () => server.stderr(),
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, opts) => (await client.callTool({ name, arguments: args }, V1CallToolResultSchema, opts ?? {})) as unknown as EraResult,
    protocolVersion: () => undefined,
    close: () => server.close(),
  };
}, undefined);
