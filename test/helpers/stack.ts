import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type CallToolResult, type ClientCapabilities, type Progress } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { testClient } from './test-client.js';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const SERVER_ENTRY = resolve(__dirname, '../../dist/index.js');

/**
 * The environment a spawned server gets: nothing of the developer's own. HOME is an empty folder
 * (no profile files), the metadata service is off, and the credentials-URI provider of the
 * default chain points at a closed loopback port, so the chain never leaves 127.0.0.1.
 */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'swas-home-'));
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    USERPROFILE: home,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
    LOG_LEVEL: 'debug',
    // Back-off between retries: the production 400 ms base would make every retried call in the
    // suite sleep for seconds. Tests that count attempts still see every retry.
    SWAS_MCP_RETRY_BASE_DELAY_MS: '5',
    ...extra,
  };
}

export interface ServerHandle {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
  /** The spawned server's process ID (none for a server in this process). */
  pid?: number;
}

/** Spawns the built server as a real process and connects the SDK client over stdio. */
export async function spawnServer(env: Record<string, string>, args: string[] = [], capabilities?: ClientCapabilities): Promise<ServerHandle> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY, ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const client = testClient('e2e-test', capabilities ? { capabilities } : {});
  try {
    await client.connect(transport);
  } catch (err) {
    // A server that exits while starting says why on stderr: keep it with the error.
    throw new Error(`the server did not start (${(err as Error).message}); its stderr:\n${stderr.slice(-4000)}`, { cause: err });
  }
  return { client, stderr: () => stderr, close: () => client.close(), ...(transport.pid !== null ? { pid: transport.pid } : {}) };
}

export interface Stack extends ServerHandle { sim: Simulator }

export const SIM_CREDENTIALS = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
};

/** A simulator in this process and the built server pointed at it, as an operator would. */
export async function startStack(opts: { sim?: SimulatorOptions; env?: Record<string, string>; args?: string[]; capabilities?: ClientCapabilities } = {}): Promise<Stack> {
  const sim = await startSimulator({ imageReadyMs: 400, snapshotReadyMs: 400, ...opts.sim });
  const server = await spawnServer(isolatedEnv({
    ...SIM_CREDENTIALS,
    SWAS_ENDPOINT: sim.url,
    ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
    SWAS_MCP_POLL_INTERVAL_MS: '100',
    ...opts.env,
  }), opts.args, opts.capabilities);
  return { ...server, sim, close: async () => { await server.close(); await sim.stop(); } };
}

/** A ledger path of its own: a file not yet made, in a new folder under the run's temp folder. */
export function newLedgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'swas-ledger-')), 'audit.jsonl');
}

/** The JSON lines of a ledger (or log) file, oldest first; none when the file is not there. */
export function ledgerLines<T = Record<string, unknown>>(path: string): T[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** callTool with the result typed as a tool result (the SDK's return type is wider). */
// Tests read structured content loosely; the output schemas themselves are checked by the SDK client.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ToolResult = CallToolResult & { structuredContent?: Record<string, any> };

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** callTool asking for progress notifications, optionally cancellable. */
export async function callWithProgress(s: Stack, name: string, args: Record<string, unknown>, onprogress: (p: Progress) => void, signal?: AbortSignal): Promise<ToolResult> {
  return (await s.client.callTool({ name, arguments: args }, { onprogress, ...(signal ? { signal } : {}) })) as ToolResult;
}

/** Adds a Running server to the simulator (system disk, optional data disks); returns its IDs. */
export function addServer(s: Stack, regionId: string, name: string, dataDisks = 0): { id: string; systemDisk: string; dataDisks: string[] } {
  const i = s.sim.state.addInstance({ regionId, instanceName: name, ...(dataDisks ? { dataDisks: Array.from({ length: dataDisks }, () => ({ size: 20 })) } : {}) });
  return { id: i.instanceId, systemDisk: i.disks.find((d) => d.diskType === 'system')!.diskId, dataDisks: i.disks.filter((d) => d.diskType === 'data').map((d) => d.diskId) };
}

/**
 * Marks the snapshot of that name accomplished now, whatever the simulator's readiness delay: for a
 * test that lets a wait begin (its first progress notification) before the snapshot finishes.
 */
export function finishSnapshot(sim: Simulator, regionId: string, name: string): void {
  const snap = sim.state.snapshots(regionId).find((s) => s.snapshotName === name);
  if (snap) sim.state.setSnapshotStatus(snap.snapshotId, 'accomplished');
}
