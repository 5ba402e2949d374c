import { Client as V2Client } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { describeEra, type EraClient, type EraResult } from '../helpers/era-client.js';
import { SERVER_ENTRY } from '../helpers/stack.js';

/**
 * The built server over real stdio, in both protocol eras: a 2026-07-28 client (no initialize:
 * server/discover and per-request _meta) and a 2025-11-25 client (initialize). Each lists and calls
 * tools, gets progress, cancels, and reads structured results and explained errors. Both declare
 * form elicitation: in the default consent mode (human) a person approves a change by the client's
 * form, in either era, over stdio. The v1 SDK's client meets the same server in this process:
 * test/integration/client-eras.test.ts.
 */
async function connectV2(env: Record<string, string>, mode: 'legacy' | { pin: string }): Promise<EraClient> {
  const client = new V2Client({ name: 'era-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode } });
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { confirm: true } };
  });
  const transport = new V2Stdio({ command: process.execPath, args: [SERVER_ENTRY], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  await client.connect(transport);
  return {
    asked,
    stderr: () => stderr,
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, opts) => (await client.callTool({ name, arguments: args }, opts ?? {})) as EraResult,
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    close: () => client.close(),
  };
}

describeEra('2026-07-28 client (v2, pinned)', (env) => connectV2(env, { pin: '2026-07-28' }), '2026-07-28');
describeEra('2025-11-25 client (v2, legacy)', (env) => connectV2(env, 'legacy'), '2025-11-25');
