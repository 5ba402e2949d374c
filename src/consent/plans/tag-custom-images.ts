import { apiText } from '../../untrusted.js';
import type { TagPlan } from '../../preflight/tag-images.js';
import type { CustomImage } from '../../swas/types.js';
import { planDetail, type Plan } from '../plan.js';
import { count, listWords, named } from '../words.js';

/** The facts the plan of tag_custom_images is written from. */
export interface TagPlanFacts {
  regionId: string;
  /** The account's own images asked for. */
  images: CustomImage[];
  plan: TagPlan;
  /** The requests in the order they will be sent. */
  requests: { Action: string; Parameters: { ResourceIds: string[]; [key: string]: unknown } }[];
}

const tag = (k: string, v: string) => `${apiText(k, 64)}=${apiText(v, 64)}`;

/** The plan of changing tags (asked for only when a value is overwritten or a tag removed): pure, facts in. */
export function tagImagesPlan(f: TagPlanFacts): Plan {
  const byId = new Map(f.images.map((m) => [m.ImageId, m]));
  const name = (id: string) => named(id, byId.get(id)?.Name);
  const changes = f.plan.changes;
  const overwrites = changes.reduce((n, c) => n + c.Overwritten.length, 0);
  const removals = changes.reduce((n, c) => n + c.Removed.length, 0);
  const what = listWords([
    overwrites ? `overwrite ${count(overwrites, 'tag value')}` : '',
    removals ? `remove ${count(removals, 'tag')}` : '',
  ].filter(Boolean));
  const Summary = changes.length === 1
    ? `Change the tags of the custom image ${name(changes[0]!.ImageId)} in ${f.regionId}${what ? `: ${what}` : ''}.`
    : `Change the tags of ${count(changes.length, 'custom image')} in ${f.regionId}${what ? `: ${what}` : ''}.`;

  const Steps = changes.map((c) => {
    const parts = [
      ...c.Overwritten.map((o) => `set ${tag(o.Key, o.To)} (now ${tag(o.Key, o.From)})`),
      ...c.Removed.map((r) => `remove ${tag(r.Key, r.Value)}`),
      ...c.Added.map((a) => `add ${tag(a.Key, a.Value)}`),
    ];
    return `${name(c.ImageId)}: ${listWords(parts)}.`;
  });
  const Irreversible = changes.flatMap((c) => [
    ...c.Overwritten.map((o) => `The value "${apiText(o.From, 64)}" of tag "${apiText(o.Key, 64)}" on ${name(c.ImageId)} is replaced; nothing keeps a copy.`),
    ...c.Removed.map((r) => `The tag ${tag(r.Key, r.Value)} on ${name(c.ImageId)} is removed; nothing keeps a copy.`),
  ]);
  const Details = f.requests.map((r) => planDetail(r, r.Parameters.ResourceIds.join(', ')));
  return { Summary, Steps, Irreversible, Warnings: [], Details };
}
