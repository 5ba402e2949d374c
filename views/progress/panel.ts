// The progress panel: follows what a call started (snapshot percentage, image Creating → Available,
// a server reset) by calling wait_for_resources through the host while it is shown. Mountable in
// any view (the progress view is just this panel; another view may show it after its own step).
import { button, dateWords, el, failureText, type ToolCallResult, type View } from '../shared/app.js';
import { percent, planFrom, waitArgs, type Kind, type Plan, type Watch } from './model.js';
import './style.css';

/** Each wait call holds at most this long, so the page shows fresh percentages this often. */
const WAIT_SECONDS = 3;
/** The first holds only the shortest wait the tool takes: the rows say "not read yet" until it answers. */
const FIRST_WAIT_SECONDS = 1;
/** A new image is not listed for a while after CreateCustomImage answers: NotFound is not final before this. */
const NOT_LISTED_GRACE_MS = 120_000;
const RETRY_MS = 5_000;

interface Row extends Watch { Until?: string; Done?: boolean; Failed?: boolean; /** The first state seen: where the path started. */ From?: string }

const KIND_WORD: Record<Kind, string> = { image: 'Custom image', snapshot: 'Snapshot', instance: 'Server' };
const TARGET: Record<Kind, string> = { image: 'Available', snapshot: 'Accomplished', instance: 'Running' };

export interface ProgressPanel {
  /** Follows what this call (tool, its arguments, its result) started; shows a note when nothing. */
  show(toolName: string | undefined, args: Record<string, unknown>, result: ToolCallResult): void;
  render(): void;
  /** Stops polling for good (the host is removing the view). */
  stop(): void;
  error(message: string): void;
}

/** Renders into `root`, calling tools through `view`. */
export function progressPanel(root: HTMLElement, view: View): ProgressPanel {
  const state: {
    args: Record<string, unknown>; plan?: Plan; rows: Row[]; following: boolean; error?: string; updatedAt?: number; startedAt: number;
  } = { args: {}, rows: [], following: false, startedAt: Date.now() };
  let loop: Promise<void> | undefined;
  let closed = false;
  let focusId: string | undefined;

  const pending = (): Row[] => state.rows.filter((r) => !r.Done && !(r.Failed && !(r.Kind === 'image' && r.State === 'NotFound' && Date.now() - state.startedAt < NOT_LISTED_GRACE_MS)));

  function rowView(r: Row): HTMLElement {
    const pct = r.Kind === 'snapshot' ? percent(r.Progress) ?? (r.Done ? 100 : undefined) : undefined;
    const stateText = r.State ? `${r.State}${r.Progress && !r.Done ? ` ${r.Progress}` : ''}` : 'not read yet';
    const cls = r.Done ? 'status-ok' : r.Failed ? 'status-bad' : 'status-busy';
    const bar = pct === undefined ? null : (() => {
      const b = el('div', { class: 'meter', attrs: { role: 'progressbar', 'aria-label': `${KIND_WORD[r.Kind]} ${r.Id} progress`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) } });
      const fill = el('span');
      fill.style.width = `${pct}%`;
      b.append(fill);
      return b;
    })();
    return el('li', { class: 'row', attrs: { 'data-id': r.Id, 'data-kind': r.Kind } },
      el('div', {}, el('strong', { text: KIND_WORD[r.Kind] }), ' ', el('span', { class: 'id', text: r.Id })),
      el('div', { class: 'path' },
        r.Done && r.From && r.From !== r.State ? el('span', { class: 'muted', text: `${r.From} → ` }) : null,
        el('span', { class: `state ${cls}`, text: stateText }),
        r.Done ? null : el('span', { class: 'muted', text: ` → ${r.Until ?? TARGET[r.Kind]}` }),
        r.Done ? el('span', { class: 'status-ok', text: ' ✓ done' }) : r.Failed ? el('span', { class: 'status-bad', text: ' ✗ will not finish' }) : null),
      bar);
  }

  function headline(): string {
    if (!state.plan) return 'Waiting for the call\u2019s result…';
    if (!state.rows.length) return state.plan.note ?? 'Nothing to follow.';
    if (state.rows.every((r) => r.Done)) return 'All done.';
    if (!pending().length) return 'Stopped: something will not finish (see below).';
    return state.following ? 'Following… the page updates while it stays open.' : 'Paused.';
  }

  function render(): void {
    const active = document.activeElement;
    if (active && active !== document.body && active.id) focusId = active.id;
    const locale = view.context().locale;
    const canFollow = pending().length > 0;
    const toggle = button(state.following ? 'Pause' : 'Resume', () => {
      if (state.following) state.following = false;
      else start();
      render();
    }, { id: 'follow', ariaLabel: state.following ? 'Pause following the progress' : 'Resume following the progress' });
    toggle.disabled = !canFollow;
    const children: Array<Node | null> = [
      el('h1', { text: 'Progress' }),
      el('p', { attrs: { id: 'headline', role: 'status' }, text: headline() }),
      el('div', { class: 'toolbar' }, canFollow ? toggle : null,
        el('span', { class: 'muted', attrs: { id: 'updated' }, text: state.updatedAt ? `Updated ${dateWords(new Date(state.updatedAt).toISOString(), locale)}` : '' })),
      state.error ? el('p', { class: 'error', attrs: { role: 'alert' }, text: state.error }) : null,
      state.rows.length ? el('ul', { class: 'rows' }, ...state.rows.map(rowView)) : null,
      state.plan?.note && state.rows.length ? el('p', { class: 'muted', text: state.plan.note }) : null,
      state.plan?.RegionId ? el('p', { class: 'muted', text: `Region ${state.plan.RegionId}` }) : null,
    ];
    root.replaceChildren(...children.filter((c): c is Node => c !== null));
    const again = focusId ? document.getElementById(focusId) : null;
    if (again && !(again as HTMLButtonElement).disabled) again.focus();
  }

  async function follow(v: View): Promise<void> {
    while (!closed && state.following && state.plan && pending().length) {
      try {
        const result = await v.callTool('wait_for_resources', waitArgs(state.plan, pending(), state.updatedAt === undefined ? FIRST_WAIT_SECONDS : WAIT_SECONDS));
        const failed = failureText(result);
        if (failed) throw new Error(failed);
        const states = (result.structuredContent?.States ?? []) as Array<{ Id: string; State: string; Progress?: string; Until: string; Done: boolean; Failed: boolean }>;
        for (const s of states) {
          const row = state.rows.find((r) => r.Id === s.Id);
          if (row) Object.assign(row, { From: row.From ?? row.State ?? s.State, State: s.State, Progress: s.Progress, Until: s.Until, Done: s.Done, Failed: s.Failed });
        }
        state.error = undefined;
        state.updatedAt = Date.now();
        render();
      } catch (err) {
        state.error = `Could not read the progress: ${err instanceof Error ? err.message : String(err)}. Trying again.`;
        render();
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    if (!pending().length) state.following = false;
    render();
  }

  function start(): void {
    if (closed) return;
    state.following = true;
    // A loop still finishing its last call carries on, as following is on again.
    loop ??= follow(view).finally(() => { loop = undefined; });
  }

  function show(toolName: string | undefined, args: Record<string, unknown>, result: ToolCallResult): void {
    state.args = args;
    state.plan = planFrom(toolName, args, result.structuredContent ?? {});
    state.rows = state.plan.watches.map((w) => ({ ...w, ...(w.State ? { From: w.State } : {}) }));
    state.startedAt = Date.now();
    state.updatedAt = undefined;
    render();
    start();
  }

  return {
    show,
    render,
    stop: () => { closed = true; state.following = false; },
    error: (message) => { state.error = message; render(); },
  };
}
