// What the progress view follows, read from the call the host rendered it for. Pure (no DOM).
// Everything comes from the call's input and result, so the view resumes whenever it is shown.

export type Kind = 'image' | 'snapshot' | 'instance';

export interface Watch { Kind: Kind; Id: string; State?: string; Progress?: string }

export interface Plan {
  RegionId?: string;
  watches: Watch[];
  /** Why there is nothing to follow (a dry run, a refusal), or a word on what happens next. */
  note?: string;
}

type Sc = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The tool, by name when the host says it, else by the shape of its result. */
function toolOf(name: string | undefined, sc: Sc): string | undefined {
  if (name) return name;
  if (Array.isArray(sc.States)) return 'wait_for_resources';
  if ('ImageName' in sc) return 'create_custom_image';
  if ('SnapshotName' in sc) return 'create_snapshot';
  if ('InstanceId' in sc) return 'reset_system';
  return undefined;
}

export function planFrom(toolName: string | undefined, args: Sc, sc: Sc): Plan {
  const RegionId = str(sc.RegionId) ?? str(args.RegionId);
  const region = RegionId ? { RegionId } : {};
  const error = sc.Error as { Message?: unknown } | undefined;
  if (error) return { ...region, watches: [], note: `Nothing to follow: the call did not start anything (${str(error.Message) ?? 'it failed'}).` };
  if (sc.DryRun === true) return { ...region, watches: [], note: 'Nothing to follow: this was a dry run, nothing was sent.' };
  switch (toolOf(toolName, sc)) {
    case 'wait_for_resources': {
      const states = (Array.isArray(sc.States) ? sc.States : []) as Array<{ Kind: Kind; Id: string; State?: string; Progress?: string }>;
      const fromArgs: Watch[] = [
        ...list(args.ImageIds).map((Id) => ({ Kind: 'image' as const, Id })),
        ...list(args.SnapshotIds).map((Id) => ({ Kind: 'snapshot' as const, Id })),
        ...list(args.InstanceIds).map((Id) => ({ Kind: 'instance' as const, Id })),
      ];
      const watches = fromArgs.length ? fromArgs : states.map((s) => ({ Kind: s.Kind, Id: s.Id }));
      return { ...region, watches: watches.map((w) => withState(w, states.find((s) => s.Id === w.Id))) };
    }
    case 'create_snapshot': {
      const id = str(sc.SnapshotId);
      return id ? { ...region, watches: [{ Kind: 'snapshot', Id: id, State: str(sc.Status), Progress: str(sc.Progress) }] } : { ...region, watches: [], note: 'Nothing to follow: no snapshot was created.' };
    }
    case 'create_custom_image': {
      const id = str(sc.ImageId);
      if (id) return { ...region, watches: [{ Kind: 'image', Id: id, State: str(sc.Status) }] };
      const op = sc.Operation as { State?: string; Snapshots?: Array<{ SnapshotId?: string; Status?: string; Progress?: string }> } | undefined;
      const snaps = (op?.Snapshots ?? []).filter((s) => s.SnapshotId);
      if (snaps.length) {
        return {
          ...region,
          watches: snaps.map((s) => ({ Kind: 'snapshot' as const, Id: s.SnapshotId!, State: s.Status, Progress: s.Progress })),
          note: 'The image is made from these snapshots once they are accomplished: the same create_custom_image call continues the operation.',
        };
      }
      return { ...region, watches: [], note: 'Nothing to follow yet: no snapshot or image was created.' };
    }
    case 'reset_system': {
      const id = str(sc.InstanceId) ?? str(args.InstanceId);
      // The server's state read back right after the request (Resetting), as the other kinds start from theirs.
      return id ? { ...region, watches: [{ Kind: 'instance', Id: id, State: str(sc.Status) }] } : { ...region, watches: [], note: 'Nothing to follow: no server was reset.' };
    }
    default:
      return { ...region, watches: [], note: 'Nothing to follow in this result.' };
  }
}

function withState(w: Watch, s: { State?: string; Progress?: string } | undefined): Watch {
  return { ...w, ...(s?.State ? { State: s.State } : {}), ...(s?.Progress ? { Progress: s.Progress } : {}) };
}

/** The arguments of the next wait_for_resources call for what is not finished yet. */
export function waitArgs(plan: Plan, pending: readonly Watch[], timeoutSeconds: number): Record<string, unknown> {
  const ids = (k: Kind) => pending.filter((w) => w.Kind === k).map((w) => w.Id);
  const out: Record<string, unknown> = { TimeoutSeconds: timeoutSeconds };
  if (plan.RegionId) out.RegionId = plan.RegionId;
  if (ids('image').length) out.ImageIds = ids('image');
  if (ids('snapshot').length) out.SnapshotIds = ids('snapshot');
  if (ids('instance').length) out.InstanceIds = ids('instance');
  return out;
}

/** 0–100 from the API's "45%", else undefined. */
export function percent(progress: string | undefined): number | undefined {
  const m = progress ? /^(\d{1,3})(?:\.\d+)?%$/.exec(progress.trim()) : null;
  return m ? Math.min(100, Number(m[1])) : undefined;
}
