// Inventory: every region's custom images against the quota, and every server's snapshots against
// theirs, read through the host with RegionId "all" (whatever the model's call was limited to).
import { ageWords, button, dateWords, el, failureText, startView, type View } from '../shared/app.js';
import {
  buildInventory, IMAGE_QUOTA_CAP, quotaWords, SNAPSHOTS_PER_SERVER,
  type ImageOrder, type ImageRow, type Inventory, type Lists, type RegionBlock, type SnapshotRow,
} from './model.js';
import './style.css';

const root = document.getElementById('app')!;
const state: { lists?: Lists; order: ImageOrder; loading: boolean; error?: string; updatedAt?: number } = { order: 'oldest', loading: true };
let view: View | undefined;
/** The control that had focus, given back after a re-render (a keyboard user keeps their place). */
let focusId: string | undefined;

const statusClass = (s: string): string => {
  const w = s.toLowerCase();
  if (w === 'available' || w === 'accomplished' || w === 'running') return 'status-ok';
  if (w === 'failed' || w === 'unavailable' || w === 'notfound') return 'status-bad';
  return 'status-busy';
};

function meter(label: string, used: number, max: number): HTMLElement {
  const bar = el('div', {
    class: `meter${used >= max ? ' full' : ''}`,
    attrs: { role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': String(max), 'aria-valuenow': String(used) },
  });
  const fill = el('span');
  fill.style.width = `${Math.min(100, (used / max) * 100)}%`;
  bar.append(fill);
  return bar;
}

function shareWords(m: ImageRow): string {
  if (m.Owner === 'shared-in') return 'shared with this account';
  const to = [m.SharedToEcs ? 'ECS' : '', ...m.SharedWithAccounts.map((a) => `account ${a}`)].filter(Boolean);
  return to.length ? `shared to ${to.join(', ')}` : 'not shared';
}

function imagesTable(images: ImageRow[], locale: string, now: number): HTMLElement {
  if (!images.length) return el('p', { class: 'muted', text: 'No custom images.' });
  const head = el('tr', {}, ...['Image', 'Status', 'Sharing', 'Tags', 'Age', 'Source server'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })));
  const rows = images.map((m) => el('tr', { attrs: { 'data-image-id': m.ImageId } },
    el('td', {}, el('div', { text: m.ImageName }), el('div', { class: 'id muted', text: m.ImageId })),
    el('td', { class: statusClass(m.Status), text: m.Status }),
    el('td', { text: shareWords(m) }),
    el('td', {}, ...(m.Tags.length ? m.Tags.map((t) => el('span', { class: 'tag', text: t.Value ? `${t.Key}=${t.Value}` : t.Key })) : ['—'])),
    el('td', { text: ageWords(m.CreationTime, now, locale), attrs: { title: dateWords(m.CreationTime, locale) } }),
    el('td', {}, m.InstanceId ? el('div', { text: m.InstanceName || '' }) : '—', m.InstanceId ? el('div', { class: 'id muted', text: m.InstanceId }) : null),
  ));
  return el('table', { class: 'images' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function snapshotLine(s: SnapshotRow, locale: string, now: number): HTMLElement {
  const progress = s.Status.toLowerCase() === 'progressing' && s.Progress ? ` ${s.Progress}` : '';
  return el('li', { attrs: { 'data-snapshot-id': s.SnapshotId } },
    el('span', { text: s.SnapshotName || s.SnapshotId }), ' ',
    el('span', { class: 'id muted', text: s.SnapshotId }), ' · ',
    el('span', { text: s.SourceDiskType }), ' · ',
    el('span', { class: statusClass(s.Status), text: `${s.Status}${progress}` }), ' · ',
    el('span', { class: 'muted', text: ageWords(s.CreationTime, now, locale) }));
}

function regionSection(r: RegionBlock, locale: string, now: number): HTMLElement {
  const section = el('section', { attrs: { 'data-region': r.RegionId, 'aria-label': `Region ${r.RegionId}` } }, el('h2', { text: r.RegionId }));
  if (r.quota) {
    section.append(el('div', { class: 'quota' },
      meter(`Custom images used in ${r.RegionId}, out of ${IMAGE_QUOTA_CAP}`, r.quota.Used, IMAGE_QUOTA_CAP),
      el('span', { class: 'quota-text', text: quotaWords(r.quota) })));
  }
  section.append(imagesTable(r.images, locale, now));
  if (r.servers.length || r.looseSnapshots.length) {
    section.append(el('h3', { text: 'Snapshots per server' }));
    for (const s of r.servers) {
      section.append(el('div', { class: 'server', attrs: { 'data-server-id': s.InstanceId } },
        el('div', { class: 'server-head' },
          el('span', { text: s.InstanceName || s.InstanceId }), ' ', el('span', { class: 'id muted', text: s.InstanceId }),
          meter(`Snapshots of ${s.InstanceName || s.InstanceId}, out of ${SNAPSHOTS_PER_SERVER}`, s.snapshots.length, SNAPSHOTS_PER_SERVER),
          el('span', { class: 'snapshot-quota', text: `${s.snapshots.length} / ${SNAPSHOTS_PER_SERVER} snapshots` })),
        s.snapshots.length ? el('ul', {}, ...s.snapshots.map((x) => snapshotLine(x, locale, now))) : null));
    }
    if (r.looseSnapshots.length) {
      section.append(el('div', { class: 'server' }, el('div', { class: 'server-head', text: 'Of no listed server' }),
        el('ul', {}, ...r.looseSnapshots.map((x) => snapshotLine(x, locale, now)))));
    }
  }
  return section;
}

function summary(inv: Inventory, locale: string, now: number): HTMLElement {
  const parts: Array<Node | string> = [];
  if (inv.oldest) {
    parts.push('Oldest image: ', el('strong', { text: inv.oldest.ImageName }), ` (${inv.oldest.ImageId}) in ${inv.oldest.RegionId}, ${ageWords(inv.oldest.CreationTime, now, locale)}.`);
  } else parts.push('No custom images of this account.');
  return el('p', { class: 'summary', attrs: { id: 'oldest' } }, ...parts);
}

function render(): void {
  const active = document.activeElement;
  if (active && active !== document.body && active.id) focusId = active.id;
  const { locale } = view?.context() ?? { locale: 'en' };
  const now = Date.now();
  const sort = el('select', { attrs: { id: 'sort', 'aria-label': 'Sort images' } },
    ...([['oldest', 'Oldest first'], ['newest', 'Newest first'], ['name', 'By name']] as const)
      .map(([v, label]) => { const o = el('option', { text: label, attrs: { value: v } }); o.selected = v === state.order; return o; }));
  sort.addEventListener('change', () => { state.order = sort.value as ImageOrder; render(); });
  const refresh = button(state.loading ? 'Refreshing…' : 'Refresh', () => { void load(); }, { id: 'refresh', ariaLabel: 'Refresh the inventory' });
  refresh.disabled = state.loading;
  const updated = state.updatedAt ? `Updated ${dateWords(new Date(state.updatedAt).toISOString(), locale)}` : '';
  const children: Array<Node | null> = [
    el('h1', { text: 'Custom images and snapshots' }),
    el('div', { class: 'toolbar' }, el('label', { text: 'Sort images ', attrs: { for: 'sort' } }), sort, refresh,
      el('span', { class: 'muted', attrs: { id: 'updated' }, text: updated })),
  ];
  if (state.error) children.push(el('p', { class: 'error', attrs: { role: 'alert' }, text: state.error }));
  if (state.lists) {
    const inv = buildInventory(state.lists, state.order);
    children.push(summary(inv, locale, now));
    for (const r of inv.regions) children.push(regionSection(r, locale, now));
    if (inv.failedRegions.length) {
      children.push(el('p', { class: 'error', text: `Not listed: ${inv.failedRegions.map((f) => `${f.RegionId} (${f.ErrorCode})`).join(', ')}.` }));
    }
    if (inv.emptyRegions.length) children.push(el('p', { class: 'muted', text: `Nothing in ${inv.emptyRegions.length} other region(s).` }));
    if (inv.truncated) children.push(el('p', { class: 'muted', text: 'Some lists were truncated: more exist than are shown.' }));
  } else if (state.loading) children.push(el('p', { class: 'muted', text: 'Loading…' }));
  root.replaceChildren(...children.filter((c): c is Node => c !== null));
  root.setAttribute('aria-busy', String(state.loading));
  const again = focusId ? document.getElementById(focusId) : null;
  if (again && !(again as HTMLButtonElement).disabled) again.focus();
}

async function load(): Promise<void> {
  if (!view) return;
  const v = view;
  state.loading = true;
  render();
  try {
    const all = { RegionId: 'all' };
    const [images, snapshots, instances] = await Promise.all([
      v.callTool('list_custom_images', all), v.callTool('list_snapshots', all), v.callTool('list_instances', all),
    ]);
    const failed = [images, snapshots, instances].map(failureText).find((t) => t !== undefined);
    if (failed) state.error = failed;
    else {
      state.error = undefined;
      state.lists = {
        images: (images.structuredContent ?? {}) as Lists['images'],
        snapshots: (snapshots.structuredContent ?? {}) as Lists['snapshots'],
        instances: (instances.structuredContent ?? {}) as Lists['instances'],
      };
      state.updatedAt = Date.now();
    }
  } catch (err) {
    state.error = `Could not refresh: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    state.loading = false;
    render();
  }
}

render();
void startView('inventory', { onContext: () => render() }).then((v) => { view = v; return load(); }, (err: unknown) => {
  state.loading = false;
  state.error = `Could not connect to the host: ${err instanceof Error ? err.message : String(err)}`;
  render();
});
