import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { IMAGE_ID_PATTERN, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import { DEFAULT_TARGET, failedReadAction, waitForResources, type ResourceKind, type ResourceState, type WaitTarget, type Watch } from '../wait.js';
import {
  errorSchema, idListField, optionalRegionField, READ_ONLY_ANNOTATIONS, SIMULATED_NOTE, simulatedField, type ToolContext,
} from './common.js';
import { readAnswer } from './read-tool.js';
import { defineTool, type ToolCall } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { keepWaitingArgs } from './write-flow.js';

/** A client call is cut at about 60 s by most clients: one wait stays under it. */
export const MAX_WAIT_SECONDS = 55;

const TARGETS: Record<ResourceKind, readonly WaitTarget[]> = {
  image: ['Available', 'Deleted'],
  snapshot: ['Accomplished', 'Deleted'],
  instance: ['Running'],
};

export const waitForResourcesInput = lazySchema(() => z.strictObject({
  RegionId: optionalRegionField(),
  ImageIds: idListField('ImageIds', IMAGE_ID_PATTERN, 'an image ID such as m-bp1abc...', 'image')
    .describe('Custom images to wait for.'),
  SnapshotIds: idListField('SnapshotIds', SNAPSHOT_ID_PATTERN, 'a snapshot ID such as s-bp1abc...', 'snapshot')
    .describe('Snapshots to wait for.'),
  InstanceIds: idListField('InstanceIds', INSTANCE_ID_PATTERN, 'a server ID from list_instances', 'server')
    .describe('Servers to wait for. Give at least one of the three ID lists.'),
  Until: z.enum(['Available', 'Accomplished', 'Running', 'Deleted']).optional()
    .describe('Default per kind: Available, Accomplished, Running. "Deleted": images or snapshots gone.'),
  TimeoutSeconds: z.number().int()
    .min(1, { message: 'TimeoutSeconds must be at least 1' })
    .max(MAX_WAIT_SECONDS, { message: `TimeoutSeconds is at most ${MAX_WAIT_SECONDS}: clients cut a call at about 60 s; call again to keep waiting` })
    .default(50)
    .describe('Longest wait of this call.'),
}).superRefine((v, issue) => {
  const kinds = kindsOf(v);
  if (kinds.length === 0) {
    issue.addIssue({ code: 'custom', path: ['ImageIds'], message: 'Give at least one of ImageIds, SnapshotIds or InstanceIds.' });
    return;
  }
  if (v.Until) {
    for (const kind of kinds) {
      if (!TARGETS[kind].includes(v.Until)) {
        issue.addIssue({ code: 'custom', path: ['Until'], message: `Until "${v.Until}" does not apply to ${kind}s: they can wait for ${TARGETS[kind].join(' or ')}.` });
      }
    }
  }
}));

function kindsOf(v: { ImageIds?: string[]; SnapshotIds?: string[]; InstanceIds?: string[] }): ResourceKind[] {
  return [v.ImageIds?.length ? 'image' : undefined, v.SnapshotIds?.length ? 'snapshot' : undefined, v.InstanceIds?.length ? 'instance' : undefined]
    .filter((k): k is ResourceKind => k !== undefined);
}

const stateOut = lazySchema(() => z.object({
  Kind: z.enum(['image', 'snapshot', 'instance']),
  Id: z.string(),
  Until: z.enum(['Available', 'Accomplished', 'Running', 'Deleted']),
  State: z.string().describe('As last read: images Creating/Available/Failed…, snapshots progressing/accomplished/failed, servers Running/Resetting…; Deleted (waited for Deleted, no longer listed); or NotFound (not listed: a wrong ID or region, or gone while waited on).'),
  Progress: z.string().optional().describe('Snapshots: the API\'s percentage, e.g. "45%".'),
  Done: z.boolean().describe('Reached Until.'),
  Failed: z.boolean().describe('Can no longer reach Until: failed, NotFound, or gone while waited on. Waiting longer will not help.'),
}));

export const waitForResourcesOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  States: z.array(stateOut()).optional(),
  AllDone: z.boolean().optional().describe('True when every resource reached its target.'),
  AnyFailed: z.boolean().optional(),
  ElapsedSeconds: z.number().optional(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof waitForResourcesInput>>;
type Output = z.input<ReturnType<typeof waitForResourcesOutput>>;

function watchesOf(args: Input): Watch[] {
  const watch = (kind: ResourceKind, ids: string[] | undefined): Watch[] =>
    (ids ?? []).map((id) => ({ kind, id, until: args.Until ?? DEFAULT_TARGET[kind] }));
  return [...watch('image', args.ImageIds), ...watch('snapshot', args.SnapshotIds), ...watch('instance', args.InstanceIds)];
}

const LIST_TOOL: Record<ResourceKind, string> = { image: 'list_custom_images', snapshot: 'list_snapshots', instance: 'list_instances' };
const KIND_WORD: Record<ResourceKind, string> = { image: 'custom image', snapshot: 'snapshot', instance: 'server' };

/** What one state means, after its ID. */
function stateLine(s: ResourceState, region: string): string {
  const progress = s.Progress ? ` ${s.Progress}` : '';
  if (s.Done) return s.Until === 'Deleted' ? 'deleted (no longer listed)' : `${s.State}${progress} (done)`;
  if (s.Vanished) return `no longer listed: it disappeared while waited on (deleted?), so it will not become ${s.Until} (FAILED)`;
  if (s.State === 'NotFound') {
    return `NOT FOUND: no ${KIND_WORD[s.Kind]} with this ID is listed in ${region}; check the ID and the region with ${LIST_TOOL[s.Kind]}`
      + (s.Kind === 'image' ? ' (a custom image is not listed for a short while after create_custom_image answers: if it was created moments ago, call again in a minute)' : '');
  }
  return `${s.State}${progress}${s.Failed ? ' (FAILED)' : ` (waiting for ${s.Until})`}`;
}

function text(out: Output, region: string, watches: Watch[], states: ResourceState[]): string {
  const missing = states.filter((s) => s.State === 'NotFound').length;
  const lines = [out.AllDone
    ? `All done after ${out.ElapsedSeconds} s.`
    : out.AnyFailed ? `Stopped waiting after ${out.ElapsedSeconds} s: ${missing ? `${missing} not found${missing < states.filter((s) => s.Failed).length ? ', others failed' : ''}` : 'something failed'}; waiting longer would not change that.`
      : `Not done yet after ${out.ElapsedSeconds} s. That is normal: snapshots and images take minutes to tens of minutes.`];
  for (const s of states) lines.push(`- ${s.Kind} ${s.Id}: ${stateLine(s, region)}`);
  const pending = watches.filter((w) => !states.find((s) => s.Id === w.id && (s.Done || s.Failed)));
  if (!out.AllDone && !out.AnyFailed && pending.length) lines.push(`Next: call ${keepWaitingArgs(region, pending)} to keep waiting.`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function waitTool(args: Input, call: ToolCall, ctx: ToolContext) {
  return readAnswer(waitForResourcesOutput(), ctx, args.RegionId, (err) => ({ action: failedReadAction(err) ?? 'ListCustomImages' }), async (region) => {
    const watches = watchesOf(args);
    const outcome = await waitForResources(ctx.api, region, watches, {
      timeoutMs: args.TimeoutSeconds * 1000, pollIntervalMs: ctx.config.pollIntervalMs, signal: call.signal, progress: call.progress,
      ...(ctx.waitClock ? { clock: ctx.waitClock } : {}),
    });
    const out: Output = {
      RegionId: region, States: outcome.states, AllDone: outcome.allDone, AnyFailed: outcome.anyFailed,
      ElapsedSeconds: Math.round(outcome.elapsedMs / 100) / 10, Simulated: ctx.simulated,
    };
    return { out, text: text(out, region, watches, outcome.states) };
  });
}

export const waitForResourcesTool = defineTool({
  name: 'wait_for_resources',
  title: 'Wait for SWAS images, snapshots or servers',
  description: [
    'Waits (with progress) until images are Available, snapshots Accomplished, servers Running, or images/snapshots Deleted, and gives each one\'s state.',
    'They take minutes: while AllDone is false, call again with the same arguments. Read-only; cancellable.',
  ].join(' '),
  inputSchema: waitForResourcesInput,
  outputSchema: waitForResourcesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ui: { resourceUri: appViewUri('progress') },
  ramActions: ['swas-open:ListCustomImages', 'swas-open:ListSnapshots', 'swas-open:ListInstanceStatus'],
  handler: (args, call, ctx) => waitTool(args, call, ctx),
});
