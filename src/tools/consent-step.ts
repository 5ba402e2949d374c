import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { argsDigest } from '../audit/index.js';
import {
  clientCaps, confirmationRequiredText, consentArgsDigest, declinedText, humanConsent, legacyForm, obtainConsent, planSchema, planText,
  type HumanOutcome, type Plan,
} from '../consent/index.js';
import { explain } from '../explain/catalog.js';
import { failure, success, type ToolContext } from './common.js';
import type { ToolCall } from './registry.js';
import { forProfile } from '../profiles/consent.js';
import { forRequester, requestedByOf } from '../auth/identity.js';

/**
 * The consent step of the tools that delete, overwrite or expose (the contract's "consent"): it
 * comes after preflight and before the ledger and the call, and follows the operator's policy
 * (SWAS_MCP_CONSENT). human: a person approves through a channel the model does not drive (see
 * consent/human.ts). confirm: a client that can show a form asks the person; any other gets
 * ConfirmationRequired with the plan and a ConfirmToken bound to the tool, the normalised
 * arguments and the state the plan saw — a second, deliberate call, not proof that a person
 * agreed. off: no consent step.
 */

export const confirmTokenField = lazySchema(() => z.string()
  .min(1).max(2048)
  .regex(/^[A-Za-z0-9_.-]+$/, { message: 'ConfirmToken must be the token a ConfirmationRequired answer or a dry run gave' })
  .optional()
  .describe('From ConfirmationRequired or a dry run, once the user agreed (same arguments).'));

export const approvalIdField = lazySchema(() => z.string()
  .regex(/^apv-[A-Za-z0-9_-]{10,40}$/, { message: 'ApprovalId must be the ApprovalId a DryRun or an AwaitingApproval answer gave (apv-…)' })
  .optional()
  .describe('From a DryRun or AwaitingApproval answer, to continue with that plan.'));

/** The fields every consent tool's output carries. */
export const consentOutputFields = lazySchema(() => ({
  Plan: planSchema().optional().describe('What will be done, step by step, and what cannot be undone.'),
  ApprovalId: z.string().optional().describe('Names the plan a person is asked to approve; pass it back with the same arguments to continue.'),
  ApprovalExpiresAt: z.string().optional().describe('When the approval request lapses (ISO 8601).'),
  ApprovalUrl: z.string().optional().describe('The approval page to give the person (it asks for their passkey).'),
  ApprovalInView: z.boolean().optional().describe('True when the person decides in the plan view shown with this answer.'),
  ConfirmToken: z.string().optional().describe('Pass it back with the same arguments once the user agreed (ConfirmationRequired and dry runs).'),
  ConfirmTokenExpiresAt: z.string().optional().describe('When the ConfirmToken stops being valid (ISO 8601).'),
}));

export interface ConsentRequest<S extends z.ZodType> {
  tool: string;
  /** The validated arguments; ConfirmToken, ApprovalId and DryRun are left out of the binding. */
  args: Record<string, unknown>;
  /** What preflight read that the plan depends on (stable facts only: no progress, no times). */
  state: unknown;
  plan: Plan;
  dryRun: boolean;
  confirmToken?: string;
  /** The tool's output schema and its answer so far, for the consent answers. */
  schema: S;
  out: z.input<S>;
}

export type ConsentStep = { go: true } | { go: false; result: CallToolResult | InputRequiredResult };

type ConsentCode = 'ConfirmationRequired' | 'DeclinedByUser' | 'AwaitingApproval' | 'HumanApprovalUnavailable' | 'ConsentTimedOut';

function consentFailure<S extends z.ZodType>(req: ConsentRequest<S>, code: ConsentCode, message: string, text: string, extra: Record<string, unknown>): CallToolResult {
  const { error } = explain({ code, message, stage: 'consent' }, { action: req.tool });
  return failure(req.schema, { ...(req.out as object), ...extra, Plan: req.plan, Error: error } as z.input<S>, `${code}: ${text}`);
}

const TIMED_OUT_TEXT = 'The client was asked to show the plan to the user and did not answer in time. Nothing was sent.';

/** The arguments of the call that continues: the same, without DryRun or ConfirmToken, plus the ApprovalId. */
function continueCall(req: ConsentRequest<z.ZodType>, approvalId: string): string {
  const { DryRun: _d, ConfirmToken: _c, ApprovalId: _a, ...rest } = req.args;
  return `${req.tool} with ${JSON.stringify({ ...rest, ApprovalId: approvalId })}`;
}

export async function consentStep<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, asked: ConsentRequest<S>): Promise<ConsentStep> {
  // With profiles, the plan names the account, and the approval is bound to it.
  const profiled = ctx.profile ? forProfile(asked, ctx.profile) : asked;
  // With OAuth, the plan names who asked, and the consent is bound to them: another user cannot use it.
  const req = ctx.requestedBy ? forRequester(profiled, ctx.requestedBy) : profiled;
  const bound = ctx.requestedBy ? { ...req.args, RequestedBy: ctx.requestedBy.subject } : req.args;
  const binding = { tool: req.tool, argsDigest: consentArgsDigest(bound), stateDigest: argsDigest(req.state) };
  const mode = ctx.config.consentMode;
  if (mode === 'off') {
    if (req.dryRun) {
      const out = { ...(req.out as object), Plan: req.plan } as z.input<S>;
      return { go: false, result: success(req.schema, out, ['Dry run: every check passed; nothing was sent.', '', planText(req.plan), '', 'This server asks no consent (SWAS_MCP_CONSENT=off): call again with DryRun false to carry it out.'].join('\n')) };
    }
    call.consent = { channel: 'off' };
    return { go: true };
  }
  if (mode === 'human') return humanStep(ctx, call, req, binding);
  return confirmStep(ctx, call, req, binding);
}

function confirmStep<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, req: ConsentRequest<S>, binding: { tool: string; argsDigest: string; stateDigest: string }): Promise<ConsentStep> | ConsentStep {
  const now = ctx.now();
  if (req.dryRun) {
    const { token, expiresAt } = ctx.consent.issue(binding, now);
    const out = { ...(req.out as object), Plan: req.plan, ConfirmToken: token, ConfirmTokenExpiresAt: expiresAt } as z.input<S>;
    return {
      go: false,
      result: success(req.schema, out, [
        'Dry run: every check passed; nothing was sent.', '', planText(req.plan), '',
        `To carry it out once the user agrees, call again with the same arguments, DryRun false and ConfirmToken "${token}" (valid until ${expiresAt}).`,
      ].join('\n')),
    };
  }
  // A 2025-era session with a form: asked here, so that a client that never answers is bounded.
  const caps = clientCaps(call.mcp, call.clientCapabilities);
  if (caps.era === 'legacy' && caps.form) {
    return legacyForm({ mcp: call.mcp, plan: req.plan, binding, answerMs: ctx.config.consentAnswerTimeoutMs, signal: call.signal })
      .then((h) => humanAnswer(ctx, call, req, h));
  }
  const ask = () => obtainConsent({
    tool: req.tool, argsDigest: binding.argsDigest, stateDigest: binding.stateDigest, plan: req.plan,
    confirmToken: req.confirmToken, call, signer: ctx.consent, now, clientCapabilities: call.clientCapabilities,
  });
  const first = ask();
  if (first.kind === 'granted') {
    return claimedAcrossReplicas(ctx, call, first.via === 'token' ? req.confirmToken : undefined, now)
      // Used on another replica: asked again, which now sees the token used here too.
      .then((claimed) => confirmAnswer(ctx, call, req, claimed ? first : ask()));
  }
  return confirmAnswer(ctx, call, req, first);
}

/**
 * A token or form state this process just took as used is also claimed in the shared record (with
 * replicas): false when another replica used it first. The form's state is the call's requestState.
 */
async function claimedAcrossReplicas(ctx: ToolContext, call: ToolCall, confirmToken: string | undefined, now: number): Promise<boolean> {
  const state = confirmToken === undefined ? call.mcp.mcpReq.requestState() : undefined;
  const token = confirmToken ?? (typeof state === 'string' ? state : undefined);
  return token === undefined ? true : ctx.consent.claimShared(token, now);
}

function confirmAnswer<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, req: ConsentRequest<S>, outcome: ReturnType<typeof obtainConsent>): ConsentStep {
  switch (outcome.kind) {
    case 'granted':
      ctx.log.info({ tool: req.tool, via: outcome.via }, 'consent granted');
      call.consent = { channel: outcome.via === 'token' ? 'confirm-token' : 'form' };
      return { go: true };
    case 'input_required':
      return { go: false, result: outcome.result };
    case 'declined':
      return { go: false, result: consentFailure(req, 'DeclinedByUser', 'The user did not agree to the plan.', declinedText(outcome), {}) };
    case 'required':
      return {
        go: false,
        result: consentFailure(req, 'ConfirmationRequired', outcome.message, confirmationRequiredText(req.plan, outcome), {
          ConfirmToken: outcome.token, ConfirmTokenExpiresAt: outcome.expiresAt,
        }),
      };
  }
}

async function humanStep<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, req: ConsentRequest<S>, binding: { tool: string; argsDigest: string; stateDigest: string }): Promise<ConsentStep> {
  if (!ctx.approvals) throw new Error('human consent needs an approval portal');
  const approvalId = typeof req.args.ApprovalId === 'string' ? req.args.ApprovalId : undefined;
  const portal = ctx.approvals;
  const ask = () => humanConsent({
    binding, plan: req.plan, dryRun: req.dryRun, ...(approvalId ? { approvalId } : {}), mcp: call.mcp, planView: call.planView === true,
    ...(call.clientCapabilities ? { clientCapabilities: call.clientCapabilities } : {}), signal: call.signal,
    progress: (p, m) => call.progress(p, m), portal, signer: ctx.consent, now: ctx.now,
    waitMs: ctx.config.waitTimeoutMs, answerMs: ctx.config.consentAnswerTimeoutMs,
    ...(ctx.requestedBy ? { requestedBy: requestedByOf(ctx.requestedBy) } : {}),
  });
  let outcome = await ask();
  // A form answered through the multi-round-trip flow carries signed state: single-use across replicas too.
  const viaState = clientCaps(call.mcp, call.clientCapabilities).era !== 'legacy' && typeof call.mcp.mcpReq.requestState() === 'string';
  if (outcome.kind === 'granted' && outcome.consent.channel === 'form' && viaState && !(await claimedAcrossReplicas(ctx, call, undefined, ctx.now()))) {
    outcome = await ask(); // used on another replica: asked again (this process now knows it used too)
  }
  return humanAnswer(ctx, call, req, outcome);
}

/** AwaitingApproval when the person decides in the host's plan view: the view reads Plan and ApprovalId from this answer. */
function awaitingInApp<S extends z.ZodType>(req: ConsentRequest<S>, outcome: Extract<HumanOutcome, { kind: 'awaiting' }>): CallToolResult {
  const text = [
    'A person must approve this plan in the plan view shown with this answer, and has not decided yet. Nothing was sent.', '', planText(req.plan), '',
    `When the user says they decided, call ${continueCall(req, outcome.approvalId)}; that call waits for their decision. The request lapses at ${outcome.expiresAt}.`,
  ].join('\n');
  return consentFailure(req, 'AwaitingApproval', 'Waiting for a person to decide in the plan view.', text, {
    ApprovalId: outcome.approvalId, ApprovalExpiresAt: outcome.expiresAt, ApprovalInView: true,
  });
}

/** The answer for each outcome of asking a person. */
function humanAnswer<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, req: ConsentRequest<S>, outcome: HumanOutcome): ConsentStep {
  switch (outcome.kind) {
    case 'granted':
      ctx.log.info({ tool: req.tool, channel: outcome.consent.channel }, 'consent granted');
      call.consent = outcome.consent;
      return { go: true };
    case 'input_required':
      return { go: false, result: outcome.result };
    case 'declined':
      return { go: false, result: consentFailure(req, 'DeclinedByUser', 'The user did not agree to the plan.', declinedText(outcome), {}) };
    case 'timed_out':
      return { go: false, result: consentFailure(req, 'ConsentTimedOut', 'The consent question was not answered in time.', TIMED_OUT_TEXT, {}) };
    case 'dry_run': {
      const out = { ...(req.out as object), Plan: req.plan, ApprovalId: outcome.approvalId, ApprovalExpiresAt: outcome.expiresAt } as z.input<S>;
      return {
        go: false,
        result: success(req.schema, out, [
          'Dry run: every check passed; nothing was sent.', '', planText(req.plan), '',
          `A person must approve this plan before it is carried out. To ask them, call ${continueCall(req, outcome.approvalId)} (the request lapses at ${outcome.expiresAt}).`,
        ].join('\n')),
      };
    }
    case 'awaiting': {
      if (outcome.inApp) return { go: false, result: awaitingInApp(req, outcome) };
      const where = outcome.url
        ? `Give the user this link to approve (it asks ${outcome.proof === 'login' ? 'an approver to log in' : 'for their passkey'}): ${outcome.url}`
        : `The user was sent to the approval page at ${outcome.host}.`;
      const text = [
        `A person must approve this plan, and has not decided yet. Nothing was sent.`, where, '', planText(req.plan), '',
        `When the user says they decided, call ${continueCall(req, outcome.approvalId)}. The request lapses at ${outcome.expiresAt}.`,
      ].join('\n');
      return {
        go: false,
        result: consentFailure(req, 'AwaitingApproval', `Waiting for a person to approve at ${outcome.host}.`, text, {
          ApprovalId: outcome.approvalId, ApprovalExpiresAt: outcome.expiresAt, ...(outcome.url ? { ApprovalUrl: outcome.url } : {}),
        }),
      };
    }
    case 'unavailable':
      return {
        go: false,
        result: consentFailure(req, 'HumanApprovalUnavailable', 'This change needs a person\'s approval and this client offers no way to ask one.', [
          'This change needs a person\'s approval, and there is no way to ask one here. Nothing was sent.', '', planText(req.plan), '',
          'Ways out, for the user or operator: use a client that supports elicitation (a form or a link it opens for the user);',
          'or enroll a passkey once (run "swas-image-mcp passkey add"), after which the answer carries a link that asks for it;',
          'or, knowingly, set SWAS_MCP_CONSENT=confirm, where a second call with a ConfirmToken counts as agreement (not proof that a person agreed).',
        ].join('\n'), {}),
      };
  }
}
