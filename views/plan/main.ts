// The plan view: a change that needs a person's approval, in the plan's own words, what cannot be
// undone set apart, and Approve / Decline buttons that call the app-only decide_plan tool. Shown
// with the result of a change that was sent and can be followed (a reset), it mounts the progress
// panel below the plan. Every text is put on the page as text (textContent), never parsed as HTML.
import { button, dateWords, el, failureText, startView, type ToolCallResult, type View } from '../shared/app.js';
import { progressPanel, type ProgressPanel } from '../progress/panel.js';
import { planFrom } from '../progress/model.js';
import './style.css';

interface Plan { Summary: string; Steps: string[]; Irreversible: string[]; Warnings: string[]; Details: { Action: string; Target: string; Parameters: string }[] }

const DECIDE_TOOL = 'decide_plan';
const root = document.getElementById('app')!;
let view: View | undefined;
let result: ToolCallResult | undefined;
/** What the person did in this view: the buttons go once a decision is recorded. */
let decided: { verdict: 'approved' | 'declined' } | { refused: string } | undefined;
let busy = false;
let args: Record<string, unknown> = {};
/** The progress panel's own box: kept across renders of the plan, so its state and polling survive. */
const progressBox = el('div', { class: 'progress', attrs: { id: 'progress' } });
let panel: ProgressPanel | undefined;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function planOf(sc: Record<string, unknown> | undefined): Plan | undefined {
  const p = sc?.Plan as Record<string, unknown> | undefined;
  if (!p || typeof p.Summary !== 'string') return undefined;
  const details = Array.isArray(p.Details) ? p.Details as Plan['Details'] : [];
  return { Summary: p.Summary, Steps: strings(p.Steps), Irreversible: strings(p.Irreversible), Warnings: strings(p.Warnings), Details: details };
}

function planSection(plan: Plan): HTMLElement {
  const irreversible = plan.Irreversible.length
    ? el('section', { class: 'irreversible', attrs: { 'aria-labelledby': 'irreversible-h' } },
      el('h2', { text: 'Cannot be undone', attrs: { id: 'irreversible-h' } }),
      el('ul', {}, ...plan.Irreversible.map((t) => el('li', { text: t }))))
    : el('p', { class: 'muted', text: 'Nothing in this plan is irreversible.' });
  return el('div', {},
    el('p', { class: 'summary', text: plan.Summary }),
    plan.Steps.length ? el('h2', { text: 'Steps' }) : null,
    plan.Steps.length ? el('ol', { class: 'steps' }, ...plan.Steps.map((s) => el('li', { text: s }))) : null,
    irreversible,
    plan.Warnings.length ? el('h2', { text: 'Before you agree' }) : null,
    plan.Warnings.length ? el('ul', { class: 'warnings' }, ...plan.Warnings.map((w) => el('li', { text: w }))) : null,
    plan.Details.length ? el('details', {},
      el('summary', { text: 'The exact requests' }),
      el('ul', { class: 'details' }, ...plan.Details.map((d) => el('li', {}, el('code', { text: `${d.Action} ${d.Target}` }), ' ', el('span', { class: 'id', text: d.Parameters }))))) : null,
  );
}

async function decide(approvalId: string, decision: 'approve' | 'decline'): Promise<void> {
  if (!view || busy || decided) return;
  busy = true;
  render();
  try {
    const r = await view.callTool(DECIDE_TOOL, { ApprovalId: approvalId, Decision: decision });
    const verdict = r.structuredContent?.Decision;
    decided = verdict === 'approved' || verdict === 'declined' ? { verdict } : { refused: failureText(r) ?? 'The decision was not recorded.' };
  } catch (err) {
    decided = { refused: err instanceof Error ? err.message : 'The decision could not be sent.' };
  } finally {
    busy = false;
    render();
  }
}

function decisionArea(approvalId: string, expiresAt: string | undefined): HTMLElement {
  if (decided && 'verdict' in decided) {
    return el('p', { class: `outcome ${decided.verdict}`, attrs: { role: 'status', id: 'outcome' }, text: decided.verdict === 'approved'
      ? 'Approved. Nothing has been sent yet: tell the assistant to continue, and it carries out exactly this plan, once.'
      : 'Declined. Nothing was sent, and this plan will not be carried out.' });
  }
  const locale = view?.context().locale ?? 'en';
  const approve = button('Approve', () => { void decide(approvalId, 'approve'); }, { id: 'approve', ariaLabel: 'Approve this plan' });
  const decline = button('Decline', () => { void decide(approvalId, 'decline'); }, { id: 'decline', ariaLabel: 'Decline this plan' });
  approve.className = 'primary';
  approve.disabled = busy;
  decline.disabled = busy;
  return el('div', {},
    el('div', { class: 'toolbar' }, approve, decline),
    decided && 'refused' in decided ? el('p', { class: 'error', attrs: { role: 'alert', id: 'outcome' }, text: decided.refused }) : null,
    expiresAt ? el('p', { class: 'muted', text: `This request lapses ${dateWords(expiresAt, locale) || expiresAt}.` }) : null,
  );
}

function render(): void {
  if (!result) { root.replaceChildren(el('p', { class: 'muted', text: 'Waiting for the plan…' })); return; }
  const sc = result.structuredContent;
  const plan = planOf(sc);
  const approvalId = typeof sc?.ApprovalId === 'string' ? sc.ApprovalId : undefined;
  const inView = sc?.ApprovalInView === true && approvalId !== undefined;
  const error = sc?.Error as { Code?: unknown; Message?: unknown } | undefined;
  const heading = inView ? 'A change waits for your approval' : error ? 'The change was not made' : 'The change';
  const status = inView ? undefined
    : error && typeof error.Message === 'string' ? error.Message
      : (result.content ?? []).map((c) => c.text ?? '').join('\n').split('\n')[0];
  root.replaceChildren(el('div', {},
    el('h1', { text: heading }),
    status ? el('p', { class: error ? 'error' : 'muted', text: status }) : null,
    plan ? planSection(plan) : null,
    inView ? decisionArea(approvalId, typeof sc?.ApprovalExpiresAt === 'string' ? sc.ApprovalExpiresAt : undefined) : null,
    panel ? progressBox : null,
  ));
}

/** A change that was sent and has something to follow (not a plan awaiting approval, a refusal or a dry run): follow it. */
function follow(): void {
  if (!view || !result || panel) return;
  const sc = result.structuredContent ?? {};
  if (sc.ApprovalInView === true || planFrom(view.toolName(), args, sc).watches.length === 0) return;
  panel = progressPanel(progressBox, view);
  panel.show(view.toolName(), args, result);
}

render();
void startView('plan', {
  onToolInput: (a) => { args = a; },
  onToolResult: (r) => { result = r; decided = undefined; follow(); render(); },
  onContext: () => { panel?.render(); render(); },
  onTeardown: () => panel?.stop(),
}).then((v) => { view = v; follow(); render(); });
