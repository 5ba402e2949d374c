import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { argsDigest } from '../audit/index.js';
import {
  confirmationRequiredText, consentArgsDigest, declinedText, obtainConsent, planSchema, planText, type Plan,
} from '../consent/index.js';
import { explain } from '../explain/catalog.js';
import { failure, success, type ToolContext } from './common.js';
import type { ToolCall } from './registry.js';
import { forProfile } from '../profiles/consent.js';

/**
 * The consent step of the tools that delete, overwrite or expose (the contract's "consent"): it
 * comes after preflight and before the ledger and the call. A client that can show a form asks
 * the person; any other gets ConfirmationRequired with the plan and a ConfirmToken bound to the
 * tool, the normalised arguments and the state the plan saw.
 */

export const confirmTokenField = lazySchema(() => z.string()
  .min(1).max(2048)
  .regex(/^[A-Za-z0-9_.-]+$/, { message: 'ConfirmToken must be the token a ConfirmationRequired answer or a dry run gave' })
  .optional()
  .describe('The ConfirmToken from this tool\'s ConfirmationRequired answer (or its DryRun), after the user agreed to that exact plan. Valid for 10 minutes, for the same arguments, while nothing has changed. Omit it on the first call.'));

/** The fields every consent tool's output carries. */
export const consentOutputFields = lazySchema(() => ({
  Plan: planSchema().optional().describe('What will be done, step by step, and what cannot be undone.'),
  ConfirmToken: z.string().optional().describe('Pass it back with the same arguments once the user agreed (ConfirmationRequired and dry runs).'),
  ConfirmTokenExpiresAt: z.string().optional().describe('When the ConfirmToken stops being valid (ISO 8601).'),
}));

export interface ConsentRequest<S extends z.ZodType> {
  tool: string;
  /** The validated arguments; ConfirmToken and DryRun are left out of the binding. */
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

function consentFailure<S extends z.ZodType>(req: ConsentRequest<S>, code: 'ConfirmationRequired' | 'DeclinedByUser', message: string, text: string, extra: Record<string, unknown>): CallToolResult {
  const { error } = explain({ code, message, stage: 'consent' }, { action: req.tool });
  return failure(req.schema, { ...(req.out as object), ...extra, Plan: req.plan, Error: error } as z.input<S>, `${code}: ${text}`);
}

export function consentStep<S extends z.ZodType>(ctx: ToolContext, call: ToolCall, asked: ConsentRequest<S>): ConsentStep {
  // With profiles, the plan names the account, and the approval is bound to it.
  const req = ctx.profile ? forProfile(asked, ctx.profile) : asked;
  const binding = { tool: req.tool, argsDigest: consentArgsDigest(req.args), stateDigest: argsDigest(req.state) };
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
  const outcome = obtainConsent({
    tool: req.tool, argsDigest: binding.argsDigest, stateDigest: binding.stateDigest, plan: req.plan,
    confirmToken: req.confirmToken, call, signer: ctx.consent, now, clientCapabilities: call.clientCapabilities,
  });
  switch (outcome.kind) {
    case 'granted':
      ctx.log.info({ tool: req.tool, via: outcome.via }, 'consent granted');
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
