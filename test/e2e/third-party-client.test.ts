/**
 * Issue 8 item 12: the agent story, driven by a widely used third-party MCP client instead of the
 * SDK's own. Until now the server had only met @modelcontextprotocol/sdk's Client, which shares
 * its protocol code (and its blind spots) with the server.
 *
 * The client: the Vercel AI SDK's `@ai-sdk/mcp`, pinned at 1.0.102 (devDependency, exact): the
 *    newest line that supports Node 20 (2.x requires Node 22, and npm install warned about it).
 *  - Widely used: it is how AI SDK apps (`generateText` / `streamText` agents, Next.js chat apps)
 *    get MCP tools; the AI SDK is one of the most installed TypeScript LLM libraries.
 *  - Independent: its own JSON-RPC/MCP implementation (zod schemas of its own, its own stdio
 *    transport on cross-spawn); it does not depend on @modelcontextprotocol/sdk (its runtime
 *    dependencies are @ai-sdk/provider, @ai-sdk/provider-utils, cross-spawn, pkce-challenge).
 *  - It behaves differently from the SDK client in ways a server must survive (its own handshake,
 *    its own result parsing), and `tools()` turns each tool into an AI SDK tool whose `execute` is
 *    exactly what a model's tool call runs.
 *
 * The server is the BUILT one (`npm run build` first), started as a user would start it,
 * `node dist/index.js --simulate`: its embedded simulator listens on 127.0.0.1 only, and the
 * environment (isolatedEnv) keeps the credential chain and metadata service off the network.
 * Nothing here sleeps: every step waits on the answer to a call.
 */
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMCPClient, type ListToolsResult, type MCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport as StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { providerSchemaProblems } from '../helpers/provider-schema.js';
import { SERVER_ENTRY, isolatedEnv } from '../helpers/stack.js';

/**
 * A tool result as we read it. The AI SDK's own CallToolResult type is a union (it also covers the
 * legacy `toolResult` shape) with structuredContent typed `unknown`; the server sends this shape.
 */
interface Result {
  content: { type: string; text?: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

const TOOL_NAMES = ['create_custom_image', 'create_snapshot', 'list_custom_images', 'list_instances', 'list_snapshots'];

function text(result: Result): string {
  return result.content.map((c) => (c.type === 'text' ? c.text ?? '' : '')).join('\n');
}

describe('a third-party MCP client (Vercel AI SDK @ai-sdk/mcp) drives the built server over stdio', () => {
  let client: MCPClient;
  let stderrFd: number;
  let stderrPath: string;
  /** The server's stderr so far, for failure messages. */
  const stderr = (): string => readFileSync(stderrPath, 'utf8');

  beforeAll(async () => {
    // The server's stderr goes to a file (the transport takes a file descriptor), so a failing
    // test can show what the server logged without an unread pipe filling up.
    stderrPath = join(mkdtempSync(join(tmpdir(), 'swas-ai-sdk-')), 'stderr.log');
    stderrFd = openSync(stderrPath, 'w');
    const transport = new StdioMCPTransport({
      command: process.execPath,
      args: [SERVER_ENTRY, '--simulate'],
      env: isolatedEnv({
        LOG_LEVEL: 'warn',
        // Simulated cloud time, not test time: snapshots and images finish quickly in the simulator.
        SWAS_SIM_SNAPSHOT_READY_MS: '100',
        SWAS_SIM_IMAGE_READY_MS: '100',
        SWAS_MCP_POLL_INTERVAL_MS: '50',
      }),
      stderr: stderrFd,
    });
    client = await createMCPClient({ transport, clientName: 'swas-e2e-ai-sdk', version: '1.0.0' });
  });

  /** A raw call, through the AI SDK tool's execute (this client line has no callTool of its own). */
  let toolCallN = 0;
  const callTool = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const tools = await client.tools();
    return tools[name]!.execute!(args, { toolCallId: `raw-${++toolCallN}`, messages: [] });
  };

  afterAll(async () => {
    await client?.close();
    if (stderrFd !== undefined) closeSync(stderrFd);
  });

  it('connects with its own handshake and lists the tools with schemas and annotations', async () => {
    expect(client.serverInfo.name, stderr()).toBe('swas-image-mcp');
    const listed: ListToolsResult = await client.listTools();
    expect(listed.tools.map((t) => t.name).sort()).toEqual(expect.arrayContaining(TOOL_NAMES));
    for (const tool of listed.tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema, `${tool.name} publishes an outputSchema`).toBeDefined();
    }
    const byName = new Map(listed.tools.map((t) => [t.name, t]));
    expect(byName.get('list_instances')!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('create_custom_image')!.annotations?.readOnlyHint).toBe(false);

    // What an AI SDK agent hands to the model: one AI SDK tool per MCP tool, each executable.
    const tools = await client.tools();
    expect(Object.keys(tools).sort()).toEqual(listed.tools.map((t) => t.name).sort());
    for (const name of TOOL_NAMES) expect(typeof tools[name]!.execute, name).toBe('function');
  });

  it('publishes every inputSchema and outputSchema inside what OpenAI, Gemini and Anthropic accept', async () => {
    const { tools } = await client.listTools();
    const problems = tools.flatMap((t) => [
      ...providerSchemaProblems(t.inputSchema, `${t.name}.inputSchema`),
      ...providerSchemaProblems(t.outputSchema, `${t.name}.outputSchema`),
    ]);
    expect(problems).toEqual([]);
  });

  it('runs the agent story through AI SDK tools: find the server, snapshot it and wait, dry-run the image, create it', async () => {
    const tools = await client.tools();
    let n = 0;
    /** Exactly what the AI SDK runs when a model calls the tool. */
    const run = async (name: string, args: Record<string, unknown>): Promise<Result> => {
      const execute = tools[name]!.execute!;
      return (await execute(args, { toolCallId: `call-${++n}`, messages: [] })) as Result;
    };

    // 1. Which server? The agent knows only its name.
    const servers = await run('list_instances', { InstanceName: DEMO.shopServerName });
    expect(servers.isError, text(servers)).toBeFalsy();
    const instances = servers.structuredContent!.Instances as Record<string, unknown>[];
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({ InstanceId: DEMO.shopServerId, InstanceName: DEMO.shopServerName, Status: 'Running', RegionId: DEMO.region });
    expect(text(servers)).toContain(DEMO.shopServerId);

    // 2. Snapshot its system disk and wait until it is finished.
    const snap = await run('create_snapshot', {
      RegionId: DEMO.region, InstanceId: DEMO.shopServerId, SnapshotName: 'shop-sys-ai-sdk', WaitForAccomplished: true,
    });
    expect(snap.isError, `${text(snap)}\n${stderr()}`).toBeFalsy();
    expect(snap.structuredContent).toMatchObject({ DiskId: DEMO.shopSystemDiskId, Status: 'accomplished', InstanceId: DEMO.shopServerId });
    const snapshotId = snap.structuredContent!.SnapshotId as string;
    expect(snapshotId).toMatch(/^s-[A-Za-z0-9]+$/);
    expect(text(snap)).toContain(snapshotId);

    // 3. The plan: a dry run names the snapshot it would use and creates nothing.
    const plan = await run('create_custom_image', { RegionId: DEMO.region, InstanceId: DEMO.shopServerId, ImageName: 'shop-ai-sdk', Source: 'latest-snapshot', DryRun: true });
    expect(plan.isError, text(plan)).toBeFalsy();
    expect(plan.structuredContent).toMatchObject({ DryRun: true, SystemSnapshotId: snapshotId });
    expect(plan.structuredContent!.ImageId).toBeUndefined();
    expect(plan.structuredContent!.Request).toMatchObject({ Action: 'CreateCustomImage', Parameters: { InstanceId: DEMO.shopServerId, SystemSnapshotId: snapshotId, ImageName: 'shop-ai-sdk' } });
    expect(text(plan)).toMatch(/dry run/i);

    const before = await run('list_custom_images', { InstanceId: DEMO.shopServerId });
    expect(before.structuredContent!.Images).toEqual([]);

    // 4. For real, waiting until the image is Available.
    const image = await run('create_custom_image', { RegionId: DEMO.region, InstanceId: DEMO.shopServerId, ImageName: 'shop-ai-sdk', Source: 'latest-snapshot', WaitForAvailable: true });
    expect(image.isError, `${text(image)}\n${stderr()}`).toBeFalsy();
    const imageId = image.structuredContent!.ImageId as string;
    expect(imageId).toMatch(/^m-[A-Za-z0-9]+$/);
    expect(image.structuredContent).toMatchObject({ Status: 'Available', SystemSnapshotId: snapshotId, ImageName: 'shop-ai-sdk', Source: 'latest-snapshot' });
    expect(image.structuredContent!.DryRun).not.toBe(true);
    // Most clients give the model only the text: it must carry the ID and the status too.
    expect(text(image)).toContain(imageId);
    expect(text(image)).toContain('Available');

    // 5. It is there.
    const after = await run('list_custom_images', { ImageIds: [imageId] });
    expect(after.structuredContent!.Images).toEqual([expect.objectContaining({ ImageId: imageId, ImageName: 'shop-ai-sdk', Status: 'Available', InstanceId: DEMO.shopServerId })]);
  });

  it('treats null for an optional argument as "not given", as OpenAI strict-mode models send it (issue 8 item 9)', async () => {
    // Strict-mode adapters mark every property required and nullable, so the model fills each
    // optional field it does not use with null. Build exactly those arguments from the schema.
    const { tools } = await client.listTools();
    const nullsForOptional = (name: string, given: Record<string, unknown>): Record<string, unknown> => {
      const schema = tools.find((t) => t.name === name)!.inputSchema;
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      const args: Record<string, unknown> = {};
      for (const key of Object.keys(schema.properties ?? {})) if (!required.has(key)) args[key] = null;
      return { ...args, ...given };
    };

    for (const name of ['list_instances', 'list_snapshots', 'list_custom_images']) {
      const plain = (await callTool(name, {})) as Result;
      const withNulls = (await callTool(name, nullsForOptional(name, {}))) as Result;
      expect(withNulls.isError, `${name}: ${text(withNulls)}`).toBeFalsy();
      expect(Object.keys(withNulls.structuredContent ?? {}).sort(), name).toEqual(Object.keys(plain.structuredContent ?? {}).sort());
    }

    // A dry run keeps DryRun: true; everything else optional is null. Nothing may be created.
    const plan = (await callTool('create_custom_image',
      nullsForOptional('create_custom_image', { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageName: 'null-args-image', Source: 'latest-snapshot', DryRun: true }))) as Result;
    expect(plan.isError, text(plan)).toBeFalsy();
    expect(plan.structuredContent).toMatchObject({ DryRun: true, SystemSnapshotId: DEMO.blogSystemSnapshotId });
    expect(plan.structuredContent!.ImageId).toBeUndefined();
  });

  it('answers a tool error as a result the model can read, not a protocol failure', async () => {
    // An unknown server: the AI SDK returns isError results to the model as they are.
    const res = (await callTool('create_custom_image', { RegionId: DEMO.region, InstanceId: 'nosuchserver0000000000000000000', ImageName: 'never-made', Source: 'latest-snapshot' })) as Result;
    expect(res.isError).toBe(true);
    expect(text(res).length).toBeGreaterThan(0);
    expect(res.structuredContent?.Error).toMatchObject({ Code: expect.any(String), Stage: expect.any(String) });
  });
});
