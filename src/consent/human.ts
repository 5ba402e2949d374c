import { createHash } from '../node-crypto.js';
import {
  CLIENT_CAPABILITIES_META_KEY, inputRequired, inputResponse, UrlElicitationRequiredError,
  type ClientCapabilities, type InputRequiredResult, type ServerContext,
} from '@modelcontextprotocol/server';
import { clientShowsApps } from './app.js';
import type { Approval, ConsentRecord, Requester } from './approvals.js';
import { consentAnswerSchema, consentQuestion, obtainConsent } from './obtain.js';
import type { Plan } from './plan.js';
import type { ApprovalPortal } from './portal.js';
import type { Binding, ConsentSigner } from './token.js';

/**
 * The `human` consent policy: a change goes ahead only after a person approved it through a
 * channel the model does not drive — the client's form, a page the client opens for the person
 * (URL elicitation), or a page whose link the model saw, which then needs the person's passkey.
 * Nothing handed to the model can serve as approval: an ApprovalId only names one.
 */

/** The key of the URL question in `inputRequests` / `inputResponses`. */
export const APPROVAL_INPUT_KEY = 'swas_approval';

export interface HumanConsentInput {
  binding: Binding;
  plan: Plan;
  dryRun: boolean;
  approvalId?: string;
  mcp: ServerContext;
  /** The tool's results are shown in the plan view: a host that renders it may decide there (`app`). */
  planView?: boolean;
  clientCapabilities?: ClientCapabilities;
  signal: AbortSignal;
  progress: (progress: number, message: string) => Promise<void>;
  portal: ApprovalPortal;
  signer: ConsentSigner;
  now: () => number;
  /** How long a call waits for the person's decision on the page (the usual wait bound). */
  waitMs: number;
  /** How long a call waits for the client to answer a question it was asked. */
  answerMs: number;
  /** Who asks (OAuth mode): kept on the approval, so that the page can refuse them as approver. */
  requestedBy?: Requester;
}

export type HumanOutcome =
  | { kind: 'granted'; consent: ConsentRecord }
  | { kind: 'declined'; answer: 'decline' | 'cancel' | 'unconfirmed' }
  | { kind: 'input_required'; result: InputRequiredResult }
  | { kind: 'dry_run'; approvalId: string; expiresAt: string }
  /**
   * The person has not decided (yet). `url` only when the page needs a passkey or a login (the model
   * may see it); `inApp` when they decide in the host's plan view (then there is no page and `host` is empty).
   */
  | { kind: 'awaiting'; approvalId: string; host: string; expiresAt: string; url?: string; firstOffer: boolean; proof?: 'passkey' | 'login'; inApp?: boolean }
  | { kind: 'unavailable' }
  | { kind: 'timed_out' };

/** The digest an approval is bound to: tool, normalised arguments, the state the plan saw. */
export function planDigest(b: Binding): string {
  return createHash('sha256').update(`${b.tool}\n${b.argsDigest}\n${b.stateDigest}`).digest('hex');
}

interface Caps { era: 'legacy' | 'modern'; declared?: ClientCapabilities; form: boolean; url: boolean; app: boolean }

/** What the client can do for a person, and which protocol era it speaks. */
export function clientCaps(ctx: ServerContext, legacy?: ClientCapabilities): Caps {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const era = envelope === undefined ? 'legacy' : 'modern';
  const declared = era === 'modern' ? envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined : legacy;
  const el = declared?.elicitation as { form?: unknown; url?: unknown } | undefined;
  const form = el !== undefined && el !== null && (el.form !== undefined || el.url === undefined);
  const url = el !== undefined && el !== null && el.url !== undefined;
  return { era, ...(declared ? { declared } : {}), form, url, app: clientShowsApps(declared) };
}

const iso = (ms: number) => new Date(ms).toISOString();
const hostOf = (base: string) => new URL(base).host;

export async function humanConsent(input: HumanConsentInput): Promise<HumanOutcome> {
  const { portal, binding, plan } = input;
  const store = portal.store;
  const digest = planDigest(binding);
  const now = input.now;

  const requester = input.requestedBy ? { requestedBy: input.requestedBy } : {};
  if (input.dryRun) {
    const a = await store.create({ tool: binding.tool, digest, plan, now: now(), ...requester });
    return { kind: 'dry_run', approvalId: a.id, expiresAt: iso(a.expiresAt) };
  }

  // 1. An approval this call names, or one already under way for exactly this plan.
  let a: Approval | undefined = input.approvalId ? await store.get(input.approvalId, now()) : undefined;
  if (a && (a.digest !== digest || a.status === 'used')) a = undefined;
  // A call that ends on a decided approval leaves nothing waiting on the page: it may close.
  if (a?.status === 'declined') { portal.idle(); return { kind: 'declined', answer: 'decline' }; }
  a ??= await store.findByDigest(digest, now());
  if (a?.status === 'approved') {
    const used = await store.consume(a.id, digest, now());
    if (used?.decidedBy) { portal.idle(); return { kind: 'granted', consent: used.decidedBy }; }
    a = undefined; // taken by a concurrent call: this one needs its own approval
  }
  if (a?.offered) return waitOnPage(input, a);

  const caps = clientCaps(input.mcp, input.clientCapabilities);
  // 2. The client's own form.
  if (caps.form) return caps.era === 'modern' ? modernForm(input) : legacyForm(input);

  // 2b. The host's plan view (MCP Apps): it shows this answer's plan, and its buttons decide the approval.
  if (caps.app && input.planView) {
    a ??= await store.create({ tool: binding.tool, digest, plan, now: now() });
    await store.showInApp(a.id);
    return { kind: 'awaiting', approvalId: a.id, host: '', expiresAt: iso(a.expiresAt), firstOffer: true, inApp: true };
  }

  // 3. A page the client opens for the person (URL elicitation).
  a ??= await store.create({ tool: binding.tool, digest, plan, now: now(), ...requester });
  const base = await portal.pageBase(input.mcp.http?.req);
  const message = `A person must approve this change on the approval page at ${hostOf(base)}: ${plan.Summary}`;
  if (caps.url) {
    if (caps.era === 'modern') {
      const view = inputResponse(input.mcp.mcpReq.inputResponses, APPROVAL_INPUT_KEY);
      if (view.kind === 'elicit') {
        if (view.action !== 'accept') { await store.decide(a.id, 'declined', { channel: 'url' }, now()); return { kind: 'declined', answer: view.action === 'cancel' ? 'cancel' : 'decline' }; }
        return waitOnPage(input, a);
      }
      const secret = await store.addSecret(a.id, false);
      return {
        kind: 'input_required',
        result: inputRequired({ inputRequests: { [APPROVAL_INPUT_KEY]: inputRequired.elicitUrl({ message, url: `${base}/approve/${secret}` }) } }),
      };
    }
    const secret = await store.addSecret(a.id, false);
    const answer = await withAnswerBound(input, (signal) => input.mcp.mcpReq.elicitInput(
      { mode: 'url', message, url: `${base}/approve/${secret}`, elicitationId: a!.id }, { signal, timeout: input.answerMs + 1_000 },
    ));
    if (answer === 'timed_out') return { kind: 'timed_out' };
    if (answer.action !== 'accept') {
      await store.decide(a.id, 'declined', { channel: 'url' }, now());
      return { kind: 'declined', answer: answer.action === 'cancel' ? 'cancel' : 'decline' };
    }
    return waitOnPage(input, a);
  }

  // 3b. A 2025 client over stateless HTTP: its capabilities are not known on this request, so it
  //     gets the spec's URL-elicitation-required error; a client that supports it opens the page
  //     for the person and retries the call.
  if (caps.era === 'legacy' && caps.declared === undefined && input.mcp.http !== undefined) {
    const secret = await store.addSecret(a.id, false);
    throw new UrlElicitationRequiredError(
      [{ mode: 'url', message, url: `${base}/approve/${secret}`, elicitationId: a.id }],
      `A person must approve this change on a page at ${hostOf(base)}; retry the call once they did (ApprovalId ${a.id}).`,
    );
  }

  // 4. The page without URL elicitation: the model sees the link, so approving needs a passkey
  //    (or, in HTTP mode with OAuth, an approver's login, which the page then always requires).
  if (portal.approverLogin || (portal.passkeys && await portal.passkeys.enrolled())) {
    const secret = await store.addSecret(a.id, true);
    return {
      kind: 'awaiting', approvalId: a.id, host: hostOf(base), expiresAt: iso(a.expiresAt), url: `${base}/approve/${secret}`, firstOffer: true,
      proof: portal.approverLogin ? 'login' : 'passkey',
    };
  }
  portal.idle();
  return { kind: 'unavailable' };
}

/** Waits (with progress) for the person's decision on the page or in the plan view, up to the wait bound. */
async function waitOnPage(input: HumanConsentInput, a: Approval): Promise<HumanOutcome> {
  const { store } = input.portal;
  const host = a.inApp ? '' : hostOf(await input.portal.pageBase(input.mcp.http?.req));
  const waiting = a.inApp ? 'Waiting for a person to decide in the plan view' : `Waiting for a person to approve at ${host}`;
  const started = Date.now();
  const tick = setInterval(() => {
    void input.progress(Math.round((Date.now() - started) / 1000), waiting);
  }, 5_000);
  try {
    await input.progress(0, waiting);
    await store.waitForDecision(a.id, input.waitMs, input.signal);
  } finally {
    clearInterval(tick);
  }
  const now = input.now();
  const after = await store.get(a.id, now);
  try {
    if (after?.status === 'declined') return { kind: 'declined', answer: 'decline' };
    if (after?.status === 'approved') {
      const used = await store.consume(a.id, a.digest, now);
      if (used?.decidedBy) return { kind: 'granted', consent: used.decidedBy };
    }
    if (!after || after.status !== 'pending') return { kind: 'unavailable' };
    return { kind: 'awaiting', approvalId: a.id, host, expiresAt: iso(after.expiresAt), firstOffer: false, ...(a.inApp ? { inApp: true } : {}) };
  } finally {
    input.portal.idle();
  }
}

/** 2026-07-28: the form rides the multi-round-trip flow; `obtainConsent` already does it (signed requestState). */
function modernForm(input: HumanConsentInput): HumanOutcome {
  const out = obtainConsent({
    tool: input.binding.tool, argsDigest: input.binding.argsDigest, stateDigest: input.binding.stateDigest, plan: input.plan,
    call: { mcp: input.mcp }, signer: input.signer, now: input.now(), ...(input.clientCapabilities ? { clientCapabilities: input.clientCapabilities } : {}),
  });
  switch (out.kind) {
    case 'granted': return { kind: 'granted', consent: { channel: 'form' } };
    case 'declined': return out;
    case 'input_required': return out;
    case 'required': return { kind: 'unavailable' }; // not reached: the client declared form elicitation
  }
}

/** 2025-11-25 with a session: ask with elicitation/create, bounded by the answer timeout. */
export async function legacyForm(input: Pick<HumanConsentInput, 'mcp' | 'plan' | 'binding' | 'answerMs' | 'signal'>): Promise<HumanOutcome> {
  const answer = await withAnswerBound(input, (signal) => input.mcp.mcpReq.elicitInput({
    mode: 'form', message: consentQuestion(input.binding.tool, input.plan),
    requestedSchema: consentFormSchema(),
  }, { signal, timeout: input.answerMs + 1_000 }));
  if (answer === 'timed_out') return { kind: 'timed_out' };
  if (answer.action === 'decline' || answer.action === 'cancel') return { kind: 'declined', answer: answer.action };
  const parsed = consentAnswerSchema().safeParse(answer.content ?? {});
  if (!parsed.success || parsed.data.confirm !== true) return { kind: 'declined', answer: 'unconfirmed' };
  return { kind: 'granted', consent: { channel: 'form' } };
}

/** The consent form's JSON Schema, as elicitation/create carries it. */
function consentFormSchema() {
  const built = inputRequired.elicit({ message: '', requestedSchema: consentAnswerSchema() });
  return (built.params as { requestedSchema: { type: 'object'; properties: Record<string, never> } }).requestedSchema;
}

/** Runs a question to the client, giving up after `answerMs`: a client that never answers holds nothing. */
async function withAnswerBound<T>(input: { answerMs: number; signal: AbortSignal }, ask: (signal: AbortSignal) => Promise<T>): Promise<T | 'timed_out'> {
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), input.answerMs);
  const signal = AbortSignal.any([giveUp.signal, input.signal]);
  try {
    return await ask(signal);
  } catch (err) {
    if (giveUp.signal.aborted && !input.signal.aborted) return 'timed_out';
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
