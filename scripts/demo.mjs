// npm run demo: a scripted agent session against the server's embedded simulator. It spawns the
// built server (`node dist/index.js --simulate --allow-destructive`) over stdio with the MCP SDK's
// client, and plays the image lifecycle an agent meets on a real account: find a server without
// knowing its region, back it up from its existing snapshot (whose age is a warning), hit the full
// image quota, plan a deletion and ask, delete, capture the server as it is now (new snapshots of
// its system and data disk, then the image: one operation continued call after call while the
// snapshots progress and the image appears), share it to ECS with consent, and show the ledger.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const ledgerPath = join(mkdtempSync(join(tmpdir(), 'swas-demo-')), 'audit.jsonl');
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [entry, '--simulate', '--allow-destructive', '--region', 'cn-hangzhou'],
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'warn',
    SWAS_MCP_AUDIT_LOG: ledgerPath,
    // A scripted client has no person to ask: the demo shows the ConfirmToken round trip, which
    // is a second, deliberate call and not proof that a person agreed (see docs/consent.md).
    SWAS_MCP_CONSENT: 'confirm',
    // The simulator's realistic timings (an image of a 40 GB disk: about 7 minutes) run this many
    // times faster, and one call waits at most this long: the image is still being made when the
    // create call ends, as on Alibaba Cloud, and wait_for_resources picks it up. Settable, so the
    // demo's own test runs it in about a second.
    SWAS_SIM_TIME_SCALE: process.env.DEMO_TIME_SCALE ?? '150',
    SWAS_MCP_WAIT_TIMEOUT_MS: process.env.DEMO_CALL_WAIT_MS ?? '1500',
    SWAS_MCP_POLL_INTERVAL_MS: process.env.DEMO_POLL_MS ?? '250',
  },
  stderr: 'inherit',
});
const client = new Client({ name: 'swas-image-mcp-demo', version: '1.0.0' });

async function tool(name, args) {
  console.log(dim(`   → ${name} ${JSON.stringify(args)}`));
  return client.callTool({ name, arguments: args }, {
    onprogress: (p) => console.log(dim(`   … progress ${p.progress}: ${p.message ?? ''}`)),
  });
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

/** Calls wait_for_resources again until everything is done, as an agent does across turns. */
async function waitUntilDone(args) {
  for (let call = 1; ; call++) {
    const res = await tool('wait_for_resources', { ...args, TimeoutSeconds: 55 });
    console.log(indent(text(res).split('\n')[0]));
    if (res.isError || res.structuredContent.AllDone || res.structuredContent.AnyFailed || call >= 20) return res;
  }
}

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  step(0, 'The server (started with --simulate --allow-destructive: the built-in SWAS simulator, demo data)');
  console.log(`   tools: ${tools.map((t) => t.name).join(', ')}`);

  say('\nUser:', '"Our Singapore web server, sg-web: keep two backup images of it, please."');

  step(1, 'Find the server without knowing its region: every region at once');
  const found = (await tool('list_instances', { RegionId: 'all', InstanceName: 'sg-web' })).structuredContent;
  const sg = found.Instances[0];
  console.log(`   ${sg.InstanceName} ${sg.InstanceId} is ${sg.Status} in ${sg.RegionId} (searched ${found.Regions.length} regions)`);
  const R = sg.RegionId;

  console.log(`   disks: ${sg.Disks.map((d) => `${d.DiskType} ${d.DiskId} (${d.Size} GiB)`).join(', ')}`);

  step(2, 'Two backup images from its latest snapshot (each call returns as soon as the image ID is known)');
  const backups = [];
  for (const name of ['sg-web-backup-1', 'sg-web-backup-2']) {
    const made = await tool('create_custom_image', { RegionId: R, InstanceId: sg.InstanceId, ImageName: name, Source: 'latest-snapshot' });
    console.log(indent(text(made).split('\n').slice(0, 3).join('\n')));
    backups.push(made.structuredContent.ImageId);
  }
  say('\nAgent:', '"Both backups are being made. Note: they come from the snapshot of 2026-01-10, months old, and hold the system disk only."');

  step(3, 'Real images take minutes: wait for them, call after call');
  await waitUntilDone({ RegionId: R, ImageIds: backups });

  say('\nUser:', '"Now make an image of sg-web as it is now, data disk included: sg-web-2026-11-29. Share it to ECS so it outlives the server."');

  step(4, 'Dry run first: capture now needs two snapshots and one image, and the image quota is full');
  const planned = await tool('create_custom_image', { RegionId: R, InstanceId: sg.InstanceId, ImageName: 'sg-web-2026-11-29', DryRun: true });
  console.log(indent(text(planned)));

  step(5, 'The agent looks at the images to propose one to delete');
  const listed = (await tool('list_custom_images', { RegionId: R })).structuredContent;
  for (const m of listed.Images) console.log(`   ${m.ImageId}  ${m.ImageName.padEnd(18)} ${m.Status.padEnd(9)} ${m.SharedToEcs || m.SharedWithAccounts.length ? 'shared' : 'not shared'}`);
  console.log(`   quota: ${listed.Quota.Used} of ${listed.Quota.Limit} used`);

  step(6, 'Plan the deletion: every check, the exact request, and a ConfirmToken; nothing is sent');
  const oldest = backups[0];
  const plan = await tool('delete_custom_images', { RegionId: R, ImageIds: [oldest], DryRun: true });
  console.log(indent(text(plan)));

  say('\nAgent:', `"The quota is full. I can delete sg-web-backup-1 (${oldest}); it cannot be undone. Shall I?"`);
  say('User:', '"Yes, delete it."');

  step(7, 'Delete with the token the user agreed to, and wait until it is gone');
  const deleted = await tool('delete_custom_images', { RegionId: R, ImageIds: [oldest], ConfirmToken: plan.structuredContent.ConfirmToken, WaitForDeleted: true });
  console.log(indent(text(deleted)));

  step(8, 'Capture the server now: the first call takes the snapshots; its wait ends while they progress');
  const captureArgs = { RegionId: R, InstanceId: sg.InstanceId, ImageName: 'sg-web-2026-11-29', WaitForAvailable: true };
  let created = await tool('create_custom_image', captureArgs);
  console.log(indent(text(created)));

  step(9, 'Continue the same operation, as the answer says, until the image is Available');
  for (let call = 1; created.structuredContent?.Operation?.State !== 'Done' && !created.isError && call <= 30; call++) {
    created = await tool('create_custom_image', captureArgs);
    const op = created.structuredContent.Operation;
    const snaps = op.Snapshots.map((s) => `${s.SnapshotName} ${s.Status}${s.Progress && s.Status !== 'accomplished' ? ` ${s.Progress}` : ''}`).join(', ');
    console.log(`   ${op.State}: ${snaps}${created.structuredContent.ImageId ? `; image ${created.structuredContent.ImageId} ${created.structuredContent.Status}` : ''}`);
  }
  if (created.isError) throw new Error(text(created));
  console.log(indent(text(created)));
  const imageId = created.structuredContent.ImageId;

  step(10, 'Share it to ECS: it stays in this account and unsharing undoes it, so no consent is asked');
  const toEcs = await tool('share_custom_image', { RegionId: R, ImageId: imageId, Operation: 'Share', Ecs: true });
  console.log(indent(text(toEcs)));

  step(11, 'Share it with the agency\'s account: that exposes it outside the account and needs the user\'s consent');
  const withAgency = { RegionId: R, ImageId: imageId, Operation: 'Share', Accounts: ['1987654321098765'] };
  const asked = await tool('share_custom_image', withAgency);
  console.log(indent(text(asked)));
  say('\nUser:', '"Yes, share it with the agency."');
  const shared = await tool('share_custom_image', { ...withAgency, ConfirmToken: asked.structuredContent.ConfirmToken });
  console.log(indent(text(shared)));

  step(12, 'Bad input is refused before anything is sent');
  const bad = await tool('create_custom_image', { RegionId: 'cn-hangzhou.evil.com', InstanceId: sg.InstanceId, ImageName: '-bad name', Tag: [{ Key: 'aliyun:x', Value: 'v' }] });
  console.log(indent(text(bad)));

  step(13, 'The audit ledger: every change, written before it was sent and after it answered');
  for (const line of readFileSync(ledgerPath, 'utf8').split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    console.log(`   ${e.time}  ${e.phase.padEnd(7)} ${e.tool.padEnd(20)} ${e.action.padEnd(22)} ${e.resourceIds.join(',')}${e.phase === 'outcome' ? `  ok=${e.ok}` : ''}`);
  }

  console.log(`\n${bold('Done.')} Everything above ran against the simulator; point the server at Alibaba Cloud with credentials instead of --simulate.`);
} finally {
  await client.close();
}
