import { apiText } from '../../untrusted.js';
import { sameWord } from '../../swas/status.js';
import type { Instance, Snapshot } from '../../swas/types.js';
import { planDetail, type Plan } from '../plan.js';
import { count, listWords, named, when } from '../words.js';

/** The facts the plan of delete_snapshots is written from. */
export interface DeleteSnapshotsPlanFacts {
  regionId: string;
  /** Epoch ms of the injected clock. */
  now: number;
  targets: Snapshot[];
  /** Targets still being taken. */
  progressing: Snapshot[];
  /** The region's servers with their disks: they name the server of a data-disk snapshot. */
  servers: Instance[];
  request: { Action: string; Parameters: { SnapshotIds: string[]; [key: string]: unknown } };
}

/** The server a snapshot belongs to: named by the snapshot (system disk) or found through its disk. */
function serverOf(s: Snapshot, servers: Instance[]): { id: string; name?: string } | undefined {
  const i = servers.find((x) => (s.InstanceId !== undefined && x.InstanceId === s.InstanceId)
    || (s.SourceDiskId !== undefined && x.Disks.some((d) => d.DiskId === s.SourceDiskId)));
  if (i) return { id: i.InstanceId, name: i.InstanceName };
  return s.InstanceId ? { id: s.InstanceId } : undefined;
}

/** "the system disk d-1 of server "blog" (id)". */
function diskWords(s: Snapshot, servers: Instance[]): string {
  const kind = sameWord(s.SourceDiskType, 'system') ? 'system disk' : sameWord(s.SourceDiskType, 'data') ? 'data disk' : 'disk';
  const disk = `the ${kind}${s.SourceDiskId ? ` ${s.SourceDiskId}` : ''}`;
  const srv = serverOf(s, servers);
  return srv ? `${disk} of server ${named(srv.id, srv.name)}` : `${disk} (its server is not listed in this region)`;
}

/** The plan of deleting snapshots: pure, facts in. */
export function deleteSnapshotsPlan(f: DeleteSnapshotsPlanFacts): Plan {
  const name = (s: Snapshot) => named(s.SnapshotId, s.SnapshotName);
  const still = (s: Snapshot) => f.progressing.some((p) => p.SnapshotId === s.SnapshotId);
  const first = f.targets[0]!;
  const Summary = f.targets.length === 1
    ? `Delete the snapshot ${name(first)} of ${diskWords(first, f.servers)} for good.`
    : `Delete ${count(f.targets.length, 'snapshot')} in ${f.regionId} for good: ${listWords(f.targets.map(name))}.`;

  const Steps = f.targets.map((s) => `Delete ${name(s)}, a snapshot of ${diskWords(s, f.servers)}, taken ${when(s.CreationTime, f.now)}${still(s) ? `. It is still being taken (${apiText(s.Progress ?? s.Status, 16)}): deleting it stops it` : ''}.`);

  const Irreversible = f.targets.map((s) => {
    const srv = serverOf(s, f.servers);
    const rollback = srv ? `server ${named(srv.id, srv.name)} can no longer be rolled back to it` : 'no disk can be rolled back to it';
    return `${name(s)} is gone for good: ${rollback}, and no custom image can be made from it any more.`;
  });

  const Warnings: string[] = [];
  if (f.progressing.length) {
    Warnings.push(`Still being taken: ${listWords(f.progressing.map(name))}. If ${f.progressing.length === 1 ? 'it is' : 'one is'} meant for a custom image, wait for it instead of deleting it.`);
  }
  const Details = [planDetail(f.request, f.request.Parameters.SnapshotIds.join(', '))];
  return { Summary, Steps, Irreversible, Warnings, Details };
}
