// The MCPB bundle for Claude Desktop: the manifest is valid, consistent with the code, and the packed
// bundle runs on its own (no node_modules) with the configuration a host derives from it.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { getMcpConfigForManifest, unpackExtension, validateManifest } from '@anthropic-ai/mcpb';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator } from '../src/simulator/index.js';
import { ALL_TOOLS } from '../src/tools/index.js';
import { selectTools } from '../src/tools/registry.js';
import { VERSION } from '../src/version.js';
import { packBundle } from '../scripts/pack.mjs';
import { serveInProcess } from './helpers/in-process.js';
import { call, isolatedEnv, textOf } from './helpers/stack.js';
import { testClient } from './helpers/test-client.js';

const ROOT = resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Environment variables the server reads (DESIGN.md "Configuration"); the manifest may map only these. */
const SERVER_ENV = new Set([
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_REGION_ID', 'SWAS_ENDPOINT', 'SWAS_MCP_READ_ONLY', 'SWAS_MCP_ALLOW_DESTRUCTIVE', 'SWAS_MCP_SIMULATE', 'LOG_LEVEL',
  'SWAS_MCP_PROFILES', 'SWAS_MCP_PROFILE_POLICY', 'SWAS_MCP_ALLOW_PURCHASE', 'SWAS_MCP_MAX_ORDER_COST', 'SWAS_MCP_CONSENT',
]);
const DECLARED_TOOLS = (manifest.tools as Array<{ name: string }>).map((t) => t.name).sort();
/**
 * What the registry offers in a mode. The manifest lists every tool (test/unit/registry.test.ts
 * holds it equal to the registry); which of them a server offers depends on read_only and
 * allow_destructive, so an offered list is compared with the registry's selection for that mode,
 * and every offered tool must be one the manifest declares.
 */
const offeredIn = (readOnly: boolean, allowDestructive: boolean) =>
  selectTools(ALL_TOOLS, { readOnly, allowDestructive }).map((t) => t.name).sort();
/**
 * Measured 0.1.0: 375–407 KiB packed (1.2–1.6 MB unpacked); the server alone later ~600 KiB. Each MCP
 * App page (dist/apps) is self-contained, ~15 kB (the views speak the Apps protocol themselves). With
 * three pages, the OAuth verifier (jose) and the PostgreSQL client (pg) bundled in: ~725 KiB. The
 * bound leaves room to grow, not to ship node_modules (several MB packed).
 */
const MAX_BUNDLE_BYTES = 1280 * 1024;

interface HostConfig { command: string; args?: string[]; env?: Record<string, string> }

/** Spawns a server the way a host does (command/args/env), with an isolated HOME, over stdio. */
async function connect(cfg: HostConfig, extraEnv: Record<string, string> = {}) {
  const command = cfg.command === 'node' ? process.execPath : cfg.command;
  const env = { ...isolatedEnv(), ...cfg.env, ...extraEnv };
  const transport = new StdioClientTransport({ command, args: cfg.args ?? [], env, stderr: 'pipe', cwd: tmpdir() });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const client = testClient('mcpb-test');
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** The tools a server lists when composed in this process from the host's command line and environment. */
async function listedInProcess(cfg: HostConfig) {
  const client = testClient('mcpb-test');
  const server = await serveInProcess(client, { ...isolatedEnv(), ...cfg.env }, (cfg.args ?? []).slice(1));
  try {
    return (await client.listTools()).tools;
  } finally {
    await server.close();
  }
}

describe('manifest.json', () => {
  // The function `mcpb validate` runs, called here rather than through a second Node process.
  it('passes `mcpb validate`', () => {
    const said: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { said.push(a.join(' ')); });
    try {
      expect(validateManifest(join(ROOT, 'manifest.json')), said.join('\n')).toBe(true);
    } finally {
      log.mockRestore();
    }
    expect(said.join('\n')).toContain('validation passes');
  });

  it('points at an entry point that exists after the build', () => {
    expect(manifest.server.entry_point).toBe('dist/index.js');
    expect(existsSync(join(ROOT, manifest.server.entry_point)), 'run `node scripts/build.mjs` first').toBe(true);
    expect(manifest.server.mcp_config.command).toBe('node');
    expect(manifest.server.mcp_config.args).toEqual(['${__dirname}/dist/index.js']);
  });

  it('references only defined user_config keys, and every optional key has a default of its type', () => {
    const userConfig = manifest.user_config as Record<string, { type: string; required?: boolean; default?: unknown; sensitive?: boolean }>;
    const refs = [...JSON.stringify(manifest.server.mcp_config).matchAll(/\$\{user_config\.([^}]+)\}/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(Object.keys(userConfig), `\${user_config.${ref}}`).toContain(ref);
    // Every user_config key is used somewhere, or the host would ask for something nobody reads.
    for (const key of Object.keys(userConfig)) expect(refs, `user_config.${key} unused`).toContain(key);
    for (const [key, opt] of Object.entries(userConfig)) {
      if (opt.required === true) continue;
      expect(opt, `optional user_config.${key} needs a default (else the host passes the literal placeholder)`).toHaveProperty('default');
      const expected = opt.type === 'boolean' ? 'boolean' : opt.type === 'number' ? 'number' : 'string';
      expect(typeof opt.default, `user_config.${key}.default`).toBe(expected);
    }
    expect(userConfig.access_key_id.sensitive).toBe(true);
    expect(userConfig.access_key_secret.sensitive).toBe(true);
  });

  it('maps only environment variables the server reads', () => {
    const env = manifest.server.mcp_config.env as Record<string, string>;
    for (const name of Object.keys(env)) expect(SERVER_ENV, name).toContain(name);
    expect(env).toMatchObject({
      ALIBABA_CLOUD_ACCESS_KEY_ID: '${user_config.access_key_id}',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: '${user_config.access_key_secret}',
      SWAS_MCP_ALLOW_DESTRUCTIVE: '${user_config.allow_destructive}',
      SWAS_MCP_SIMULATE: '${user_config.simulate}',
    });
  });

  it('carries the version of package.json and src/version.ts', () => {
    expect(manifest.version).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.compatibility.runtimes.node).toBe(pkg.engines.node);
  });
});

describe('packed bundle', () => {
  let work: string;
  let bundle: string;
  let unpacked: string;

  // Packed once, by the project's script's packing (`node scripts/pack.mjs` without its build step,
  // run in this process, which has mcpb loaded already): what dist/ holds, as the suite built it.
  // Unpacked by the function `mcpb unpack` runs, in this process too.
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'swas-mcpb-test-'));
    bundle = join(work, 'swas-image-mcp.mcpb');
    unpacked = join(work, 'ext');
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run `npm run build` first: the bundle packs what it left').toBe(true);
    // mcpb's manifest check says it passed on the console even when asked to be silent.
    const said = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await packBundle(bundle, { silent: true })).toBe(statSync(bundle).size);
    } finally {
      said.mockRestore();
    }
    expect(await unpackExtension({ mcpbPath: bundle, outputDir: unpacked, silent: true })).toBe(true);
  }, 60_000);
  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it(`is small (< ${MAX_BUNDLE_BYTES / 1024} KiB) and holds no node_modules, sources or maps`, () => {
    const size = statSync(bundle).size;
    expect(size).toBeLessThan(MAX_BUNDLE_BYTES);
    const files = (readdirSync(unpacked, { recursive: true }) as string[]).map((f) => f.split(sep).join('/'));
    expect(files).toContain('manifest.json');
    expect(files).toContain('package.json');
    expect(files).toContain('dist/index.js');
    expect(files.filter((f) => /(^|\/)node_modules(\/|$)|^src\/|^test\/|\.map$|\.ts$/.test(f))).toEqual([]);
    const innerPkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
    expect(innerPkg).toMatchObject({ name: pkg.name, version: pkg.version, type: 'module' });
    expect(innerPkg.dependencies).toBeUndefined();
    // Node would find a node_modules folder above the unpacked bundle; there must be none to lean on.
    for (let d = dirname(unpacked); ; d = dirname(d)) {
      expect(existsSync(join(d, 'node_modules')), `${d}/node_modules exists: the self-containment check is void`).toBe(false);
      if (dirname(d) === d) break;
    }
  });

  it('runs from the unpacked folder with the config a host derives, in simulate mode, end to end', async () => {
    const cfg = (await getMcpConfigForManifest({
      manifest, extensionPath: unpacked, systemDirs: {}, pathSeparator: '/', userConfig: { simulate: true },
    })) as HostConfig | undefined;
    expect(cfg).toBeDefined();
    expect(cfg!.args).toEqual([`${unpacked}/dist/index.js`]);
    expect(cfg!.env).toEqual({
      ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '', ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
      SWAS_MCP_READ_ONLY: 'false', SWAS_MCP_ALLOW_DESTRUCTIVE: 'false', SWAS_MCP_SIMULATE: 'true', LOG_LEVEL: 'info',
      SWAS_MCP_PROFILES: '', SWAS_MCP_PROFILE_POLICY: '', SWAS_MCP_ALLOW_PURCHASE: 'false', SWAS_MCP_MAX_ORDER_COST: '', SWAS_MCP_CONSENT: 'human',
    });

    const server = await connect(cfg!);
    try {
      expect(server.client.getServerVersion()).toMatchObject({ name: 'swas-image-mcp', version: pkg.version });
      const { tools } = await server.client.listTools();
      // allow_destructive defaults to off: every tool but the destructive ones, each declared in the manifest.
      const offered = tools.map((t) => t.name).sort();
      expect(offered).toEqual(offeredIn(false, false));
      for (const t of ALL_TOOLS.filter((d) => d.kind === 'destructive' || d.kind === 'purchase')) expect(offered).not.toContain(t.name);
      for (const name of offered) expect(DECLARED_TOOLS).toContain(name);

      // RegionId omitted: list_instances falls back to user_config.region_id (cn-hangzhou).
      const listed = await call(server.client, 'list_instances', {});
      expect(listed.isError, textOf(listed)).toBeFalsy();
      expect(listed.structuredContent).toMatchObject({ RegionId: DEMO.region, Simulated: true });
      expect(JSON.stringify(listed.structuredContent)).toContain(DEMO.blogServerId);

      const res = await call(server.client, 'create_custom_image', {
        RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: 'mcpb-bundle-dry-run', DryRun: true,
      });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(res.structuredContent).toMatchObject({
        DryRun: true, Simulated: true, RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId,
      });
      expect(res.structuredContent!.Request.Action).toBe('CreateCustomImage');
    } finally {
      await server.close();
    }
    expect(server.stderr()).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
  });

  // What a switch changes is which tools the server offers: the server composed in this process
  // from the environment the host derives (the bundle's own process is proven above).
  it('maps the allow_destructive and allow_purchase switches: then every tool the registry has is offered', async () => {
    const cfg = (await getMcpConfigForManifest({
      manifest, extensionPath: unpacked, systemDirs: {}, pathSeparator: '/', userConfig: { simulate: true, allow_destructive: true, allow_purchase: true, max_order_cost: '500' },
    })) as HostConfig;
    expect(cfg.env).toMatchObject({ SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_ALLOW_PURCHASE: 'true', SWAS_MCP_MAX_ORDER_COST: '500', SWAS_MCP_READ_ONLY: 'false', SWAS_MCP_SIMULATE: 'true' });
    const offered = (await listedInProcess(cfg)).map((t) => t.name).sort();
    expect(offered).toEqual(selectTools(ALL_TOOLS, { readOnly: false, allowDestructive: true, allowPurchase: true }).map((t) => t.name).sort());
    expect(offered).toEqual(ALL_TOOLS.map((t) => t.name).sort());
    for (const name of offered) expect(DECLARED_TOOLS).toContain(name);
  });

  it('maps the read_only switch: only the read-only tools are offered, even with allow_destructive on', async () => {
    const cfg = (await getMcpConfigForManifest({
      manifest, extensionPath: unpacked, systemDirs: {}, pathSeparator: '/', userConfig: { simulate: true, read_only: true, allow_destructive: true },
    })) as HostConfig;
    expect(cfg.env).toMatchObject({ SWAS_MCP_READ_ONLY: 'true', SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_SIMULATE: 'true' });
    const tools = await listedInProcess(cfg);
    const offered = tools.map((t) => t.name).sort();
    expect(offered).toEqual(offeredIn(true, true));
    expect(offered).toEqual(ALL_TOOLS.filter((t) => t.annotations.readOnlyHint === true).map((t) => t.name).sort());
    expect(offered).toContain('list_instances');
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
  });
});

describe('unfilled MCPB placeholders', () => {
  const placeholders = manifest.server.mcp_config.env as Record<string, string>;
  const cfg: HostConfig = { command: 'node', args: [join(ROOT, 'dist', 'index.js')], env: placeholders };

  // The process drops every unfilled placeholder from its environment before anything reads it, so
  // this start is also the start without any credentials: it starts, lists its tools, and its first
  // call says what to set (the API's own refusals: test/integration/credential-explanations.test.ts).
  it('start the server as if unset (default region, level, read-write, no simulator), and unfilled credentials are missing ones, not a key to sign with: the first call explains what to set', async () => {
    expect(Object.values(placeholders).every((v) => v.startsWith('${user_config.'))).toBe(true);
    expect(placeholders).toMatchObject({ ALIBABA_CLOUD_ACCESS_KEY_ID: '${user_config.access_key_id}', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '${user_config.access_key_secret}' });
    const sim = await startSimulator();
    const server = await connect(cfg, { SWAS_ENDPOINT: sim.url });
    try {
      const { tools } = await server.client.listTools();
      // SWAS_MCP_READ_ONLY="${user_config.read_only}" is not "true": the write tool is there.
      expect(tools.map((t) => t.name)).toContain('create_custom_image');
      const res = await call(server.client, 'create_custom_image', {
        RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: 'placeholder-creds',
      });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^CredentialsNotFound: /);
      expect(textOf(res)).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
      expect(textOf(res)).toContain('--simulate');
      expect(res.structuredContent!.Error.Stage).toBe('config');
      // Nothing was signed with the placeholders, and no embedded simulator answered instead.
      expect(sim.stats.requests()).toEqual([]);
    } finally {
      await server.close();
      await sim.stop();
    }
    expect(server.stderr()).not.toMatch(/swas-image-mcp: |failed to start/);
  });

  it('still let SWAS_MCP_SIMULATE=true work, with the region given per call', async () => {
    const server = await connect(cfg, { SWAS_MCP_SIMULATE: 'true' });
    try {
      const res = await call(server.client, 'create_custom_image', {
        RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId,
        ImageName: 'mcpb-placeholder-dry-run', DryRun: true,
      });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ DryRun: true, Simulated: true, RegionId: DEMO.region });
    } finally {
      await server.close();
    }
  });
});
