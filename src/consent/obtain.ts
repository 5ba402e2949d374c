import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { planQuestion, planText, type Plan } from './plan.js';
import type { Binding, ConsentSigner } from './token.js';

/** The part of the registry's `ToolCall` that consent needs. */
export interface ConsentCall {
  mcp: ServerContext;
}

export interface ObtainConsentInput {
  tool: string;
  argsDigest: string;
  /** Digest of the state the plan was made from (what preflight read). */
  stateDigest: string;
  plan: Plan;
  /** The `ConfirmToken` argument of the call, if any. */
  confirmToken?: string;
  call: ConsentCall;
  signer: ConsentSigner;
  /** Epoch milliseconds (`ToolContext.now()`). */
  now: number;
  /**
   * The capabilities a 2025-era client declared in `initialize`
   * (`mcpServer.server.getClientCapabilities()`). A 2026-07-28 request carries its own in its
   * `_meta` envelope, which wins. Absent both, the client is taken not to elicit (token path).
   */
  clientCapabilities?: ClientCapabilities;
}

export type RequiredReason = 'no_token' | 'expired' | 'mismatch' | 'malformed' | 'used';

export type ConsentOutcome =
  /** Go on and send. */
  | { kind: 'granted'; via: 'elicitation' | 'token' }
  /** The person said no, dismissed the form, or left the box unticked: answer DeclinedByUser, send nothing. */
  | { kind: 'declined'; answer: 'decline' | 'cancel' | 'unconfirmed' }
  /** No valid ConfirmToken: answer ConfirmationRequired with the plan and this fresh token, send nothing. */
  | { kind: 'required'; token: string; expiresAt: string; reason: RequiredReason; message: string }
  /** Ask the person: the handler returns `result` as it is (the SDK serves both protocol eras). */
  | { kind: 'input_required'; result: InputRequiredResult };

/** The key of the consent question in `inputRequests` / `inputResponses`. */
export const CONSENT_INPUT_KEY = 'swas_consent';

/** The form: one yes/no box. */
export const consentAnswerSchema = lazySchema(() => z.object({
  confirm: z.boolean().meta({
    title: 'Yes, carry out this plan',
    description: 'Tick to go ahead. Leave it unticked, decline or cancel, and nothing is sent.',
  }),
}));

/**
 * Whether the client can answer a form elicitation: the request's own envelope capabilities on the
 * 2026-07-28 era, else the 2025-era `initialize` ones. A bare `elicitation: {}` means form (spec).
 */
export function clientCanElicit(ctx: ServerContext, legacy?: ClientCapabilities): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ??
    (envelope === undefined ? legacy : undefined);
  const el = caps?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (el === undefined || el === null) return false;
  return el.form !== undefined || el.url === undefined;
}

/**
 * For `new McpServer(info, { requestState: { verify: consentRequestStateVerify(signer) } })`:
 * a requestState this server did not sign is refused on the wire (-32602) before any handler
 * runs, as the spec asks. It returns nothing, so handlers keep reading the raw string, which
 * `obtainConsent` then checks against the call's binding and clock. This server mints no other
 * requestState; a second kind would need its own tag here.
 */
export function consentRequestStateVerify(signer: ConsentSigner): (state: string) => undefined {
  return (state: string) => {
    if (!signer.signed('asked', state)) throw new Error('requestState not signed by this server');
    return undefined;
  };
}

const REASON_TEXT: Record<RequiredReason, string> = {
  no_token: 'This change needs the user\'s consent and the call carried no ConfirmToken.',
  expired: 'The ConfirmToken has expired (a token lasts 10 minutes).',
  mismatch:
    'The ConfirmToken was issued for another tool, other arguments or a state that has changed since; this is the plan for the call as it stands now.',
  malformed:
    'The ConfirmToken is not one this server issued (garbled, altered or signed with another key). A client that starts a new server process for every call (as the MCP Inspector CLI does) never gets a token back to the process that issued it: the operator sets SWAS_MCP_CONSENT_KEY_FILE to a key file (chmod 600) so that every process signs with the same key.',
  used: 'The ConfirmToken was used already: each token carries out one change, once.',
};

/** The question put to the person: the exact plan, what cannot be undone, and how to answer. */
export function consentQuestion(_tool: string, plan: Plan): string {
  return planQuestion(plan);
}

/**
 * Gets the person's consent for a plan, or says what to answer instead. Nothing here sends a
 * request to the cloud; the caller sends only on `granted`.
 *
 * - The client declared form elicitation: the first entry returns `input_required` (the plan as a
 *   form with a yes/no box, and a signed requestState naming the binding). The SDK gives it to a
 *   2026-07-28 client as an `input_required` result, which the client answers and re-calls; on a
 *   2025-11-25 connection the SDK's legacy shim sends `elicitation/create` and re-enters the
 *   handler. On re-entry: decline/cancel/unticked → `declined`; ticked and the requestState still
 *   matches tool + arguments + state (≤ 10 minutes) → `granted`; ticked for a plan that is no
 *   longer the plan (state changed, expired, altered) → asked again with the fresh plan. A
 *   ConfirmToken is ignored here: the person is asked.
 * - Otherwise: a ConfirmToken valid for this binding → `granted`; else `required` with a fresh one.
 */
export function obtainConsent(input: ObtainConsentInput): ConsentOutcome {
  const binding: Binding = { tool: input.tool, argsDigest: input.argsDigest, stateDigest: input.stateDigest };
  const { signer, now } = input;
  const ctx = input.call.mcp;

  if (clientCanElicit(ctx, input.clientCapabilities)) {
    const view = inputResponse(ctx.mcpReq.inputResponses, CONSENT_INPUT_KEY);
    if (view.kind === 'elicit') {
      if (view.action === 'decline' || view.action === 'cancel') return { kind: 'declined', answer: view.action };
      const answer = acceptedContent(ctx.mcpReq.inputResponses, CONSENT_INPUT_KEY, consentAnswerSchema());
      if (answer?.confirm !== true) return { kind: 'declined', answer: 'unconfirmed' };
      const state = ctx.mcpReq.requestState();
      if (typeof state === 'string' && signer.check('asked', state, binding, now) === 'valid' && signer.consume(state, now)) {
        return { kind: 'granted', via: 'elicitation' };
      }
      // Ticked, but for a plan that is not this one any more: ask again with the plan as it is now.
    }
    return {
      kind: 'input_required',
      result: inputRequired({
        inputRequests: {
          [CONSENT_INPUT_KEY]: inputRequired.elicit({
            message: consentQuestion(input.tool, input.plan),
            requestedSchema: consentAnswerSchema(),
          }),
        },
        requestState: signer.sign('asked', binding, now).token,
      }),
    };
  }

  let reason: RequiredReason = 'no_token';
  if (input.confirmToken !== undefined && input.confirmToken !== '') {
    const verdict = signer.verify(input.confirmToken, binding, now);
    if (verdict === 'valid') {
      if (signer.consume(input.confirmToken, now)) return { kind: 'granted', via: 'token' };
      reason = 'used';
    } else {
      reason = verdict;
    }
  }
  const { token, expiresAt } = signer.issue(binding, now);
  return { kind: 'required', token, expiresAt, reason, message: REASON_TEXT[reason] };
}

/**
 * The text of a ConfirmationRequired answer (after the code): why, the plan, and what the agent
 * does next. The token itself goes in `structuredContent.ConfirmToken` and is repeated here.
 */
export function confirmationRequiredText(plan: Plan, r: Extract<ConsentOutcome, { kind: 'required' }>): string {
  return [
    r.message,
    'Nothing was sent.',
    '',
    planText(plan),
    '',
    'Show this plan to the user. If they agree, call the tool again with the same arguments and',
    `ConfirmToken "${r.token}" (valid until ${r.expiresAt}). If anything changes first, a new plan and token are given.`,
  ].join('\n');
}

/** The text of a DeclinedByUser answer (after the code). */
export function declinedText(d: Extract<ConsentOutcome, { kind: 'declined' }>): string {
  const how = { decline: 'declined the plan', cancel: 'dismissed the question', unconfirmed: 'did not tick "Yes"' }[d.answer];
  return `The user ${how}. Nothing was sent. Do not repeat the call unless the user asks for it.`;
}
