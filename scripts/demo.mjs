// npm run demo: a scripted agent session against the server's embedded simulator. It spawns the
// built server (`node dist/index.js --simulate`) over stdio with the official MCP SDK client, plays
// "make an image of my shop server" from nothing, then shows a refused request and bad input.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('dist/index.js is missing: run `npm install` (or `npm run build`) first.');
  process.exit(1);
}

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const step = (n, title) => console.log(`\n${bold(`── ${n}. ${title}`)}`);
const say = (who, text) => console.log(`${bold(who)} ${text}`);
const indent = (text) => text.split('\n').map((l) => `   ${l}`).join('\n');

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [entry, '--simulate', '--region', 'cn-hangzhou'],
  env: {
    PATH: process.env.PATH ?? '',
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'warn',
    // Faster than the defaults, so the demo's waits take seconds. The same variables, when set,
    // override these (the demo's test runs it with waits of a few hundred milliseconds).
    SWAS_SIM_SNAPSHOT_READY_MS: process.env.SWAS_SIM_SNAPSHOT_READY_MS ?? '2500',
    SWAS_SIM_IMAGE_READY_MS: process.env.SWAS_SIM_IMAGE_READY_MS ?? '3500',
    SWAS_MCP_POLL_INTERVAL_MS: process.env.SWAS_MCP_POLL_INTERVAL_MS ?? '500',
  },
  stderr: 'inherit',
});
const client = new Client({ name: 'swas-image-mcp-demo', version: '1.0.0' });

async function tool(name, args) {
  console.log(dim(`   → ${name} ${JSON.stringify(args)}`));
  const result = await client.callTool({ name, arguments: args }, {
    onprogress: (p) => console.log(dim(`   … progress ${p.progress}: ${p.message ?? ''}`)),
  });
  return result;
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  step(0, 'The server (started with --simulate: the built-in SWAS simulator, demo data)');
  console.log(`   tools: ${tools.map((t) => t.name).join(', ')}`);

  say('\nUser:', '"Make a custom image of my shop server."');

  step(1, 'Find the server');
  const servers = (await tool('list_instances', {})).structuredContent;
  for (const i of servers.Instances) console.log(`   ${i.InstanceName.padEnd(15)} ${i.InstanceId}  ${i.Status.padEnd(9)} ${i.RegionId}`);
  const shop = servers.Instances.find((i) => i.InstanceName === 'shop-server');

  step(2, 'Look for a finished system-disk snapshot');
  const snaps = (await tool('list_snapshots', { InstanceId: shop.InstanceId, SourceDiskType: 'system' })).structuredContent;
  console.log(`   ${snaps.Snapshots.length} system snapshot(s) found: an image needs one, so make it first.`);

  step(3, 'Create the snapshot and wait for it');
  const snap = await tool('create_snapshot', { RegionId: 'cn-hangzhou', InstanceId: shop.InstanceId, SnapshotName: 'shop-sys-before-image', WaitForAccomplished: true });
  console.log(indent(text(snap)));

  step(4, 'Dry run: every check, the exact request, nothing sent');
  const plan = await tool('create_custom_image', { RegionId: 'cn-hangzhou', InstanceId: shop.InstanceId, ImageName: 'shop-server-2026-11-28', DryRun: true });
  console.log(indent(text(plan)));

  say('\nUser:', '"Looks good, go ahead."');

  step(5, 'Create the image and wait until it is available');
  const created = await tool('create_custom_image', { RegionId: 'cn-hangzhou', InstanceId: shop.InstanceId, ImageName: 'shop-server-2026-11-28', WaitForAvailable: true });
  console.log(indent(text(created)));

  step(6, 'The model, unsure the call went through, makes it again: nothing is created twice');
  const again = await tool('create_custom_image', { RegionId: 'cn-hangzhou', InstanceId: shop.InstanceId, ImageName: 'shop-server-2026-11-28' });
  console.log(indent(text(again).split('\n')[0]));

  step(7, 'Check it in the image list, with the quota');
  const images = (await tool('list_custom_images', { ImageIds: [created.structuredContent.ImageId] })).structuredContent;
  for (const m of images.Images) console.log(`   ${m.ImageId}  ${m.ImageName}  ${m.Status}`);
  console.log(`   quota: ${images.Quota.Used} of ${images.Quota.Limit} used, ${images.Quota.Remaining} left`);

  say('\nUser:', '"Now image the staging server too, as blog-base-2026."');

  step(8, 'A refused request, explained (nothing is sent to the API)');
  const refused = await tool('create_custom_image', { RegionId: 'cn-hangzhou', InstanceId: servers.Instances.find((i) => i.InstanceName === 'staging-server').InstanceId, ImageName: 'blog-base-2026' });
  console.log(indent(text(refused)));

  step(9, 'Bad input, refused before anything is sent');
  const bad = await tool('create_custom_image', { RegionId: 'cn-hangzhou.evil.com', InstanceId: shop.InstanceId, ImageName: '-bad name', Tag: [{ Key: 'aliyun:x', Value: 'v' }] });
  console.log(indent(text(bad)));

  console.log(`\n${bold('Done.')} Everything above ran against the simulator; point the server at Alibaba Cloud with credentials instead of --simulate.`);
} finally {
  await client.close();
}
