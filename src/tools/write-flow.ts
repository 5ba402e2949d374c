import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  argsDigest, audited, AuditLedgerError, NotSentError, OutcomeUnknownError, reconcilePending, requestArgs, type Expectation,
} from '../audit/index.js';
import { checkToolFor, type ErrorContext } from '../explain/catalog.js';
import { checkLine, type Check } from '../preflight/checks.js';
import { SwasError, CancelledError } from '../swas/errors.js';
import { plannedRequest, type PlannedRequest } from '../requests/planned-request.js';
import { failedReadAction, noteCreated, waitForResources, type ResourceKind, type WaitOutcome, type Watch } from '../wait.js';
import { failure, toFailure, type ToolContext } from './common.js';
import type { ToolCall } from './registry.js';
import { requestedByOf } from '../auth/identity.js';

/**
 * The steps every write tool shares, in the order of the data flow: plan the exact request (with
 * its ClientToken), answer a dry run, send (ledger around it), wait with progress, and explain a
 * failure with the checks that ran. Each tool keeps only its own checks and words.
 */

export type { PlannedRequest };

/** Output schema of a planned request, with the action's parameters declared (no open records). */
export function plannedRequestSchema<P extends z.ZodRawShape>(action: string, parameters: P) {
  return z.object({
    Action: z.enum([action]),
    Endpoint: z.string().describe('Host the request goes to.'),
    Parameters: z.object({ ...parameters, ClientToken: z.string() }),
  }).describe('Dry run: the exact API request that would be sent.');
}

/** `plannedRequest` (src/requests/planned-request.ts) to the region's host, for a flow that holds a context. */
export function planRequest<P extends object>(ctx: ToolContext, action: string, regionId: string, params: P, givenToken?: string, basis?: unknown): PlannedRequest<P> {
  return plannedRequest(ctx.api.hostFor(regionId), action, params, givenToken, basis);
}

/** A failure answer: the explained error, then the checks that ran. */
export function failWith<S extends z.ZodType>(schema: S, out: z.input<S>, err: unknown, errCtx: ErrorContext, ctx: ToolContext): CallToolResult {
  const { error, text } = toFailure(err, errCtx, ctx.log);
  const checks = (out as { Checks?: Check[] }).Checks ?? [];
  const checksText = checks.length ? `\nChecks:\n${checks.map(checkLine).join('\n')}` : '';
  return failure(schema, { ...(out as object), Error: error } as z.input<S>, text + checksText);
}

/** What the ledger records of one write, besides its outcome. */
export interface WriteRecord {
  tool: string;
  action: string;
  regionId: string;
  resourceIds: string[];
  clientToken?: string;
  /** The normalised arguments of the tool call (`requestArgs` drops what is not the request). */
  args: unknown;
  /** What the resources look like once the change is applied: what a read-back checks. */
  expect?: Expectation;
  /** Purchases: what the order costs, recorded on both lines. */
  cost?: { amount: string; currency: string };
}

/**
 * The basis of the derived ClientToken of a change that can be undone and done again (share, tags,
 * reset): the stable facts the plan saw and the last change the ledger recorded on the resources.
 * The state alone cannot tell Share, UnShare, Share apart (the first and the third see the same
 * state); the last recorded change can, while a retry from the same state keeps its token.
 */
export async function planBasis(ctx: ToolContext, state: unknown, resourceIds: readonly string[]): Promise<unknown> {
  const history = await ctx.ledger.history?.().catch(() => undefined);
  return { state, lastChange: history?.lastChangeOf(resourceIds) ?? {} };
}

/** How long an intent without an outcome may still be in flight (the whole retry budget, and a margin). */
function silentAfterMs(ctx: ToolContext): number {
  return ctx.config.retryBudgetMs + ctx.config.requestTimeoutMs + 60_000;
}

/** Reads back the changes of unknown outcome (of these resources, or all) and records what it found. */
export function reconcile(ctx: ToolContext, resourceIds?: readonly string[], signal?: AbortSignal) {
  return reconcilePending(ctx.ledger, ctx.api, {
    simulated: ctx.simulated, now: ctx.now, silentAfterMs: silentAfterMs(ctx), log: ctx.log,
    ...(resourceIds ? { resourceIds } : {}), ...(signal ? { signal } : {}),
  });
}

/** What the ledger's failures become for the tool's answer. */
function explainedWriteError(ctx: ToolContext, record: WriteRecord, err: unknown): unknown {
  if (err instanceof AuditLedgerError) {
    ctx.log.error({ tool: record.tool, action: record.action, err: err.message }, 'audit ledger unwritable: nothing sent');
    return new SwasError({ code: 'AuditLedgerUnwritable', stage: 'config', message: `The audit ledger could not be written, so ${record.action} was not sent.` });
  }
  if (err instanceof NotSentError) return new CancelledError(err.message);
  if (err instanceof OutcomeUnknownError) {
    const cause = err.cause as { code?: unknown; stage?: unknown } | undefined;
    const stopped = err.cause instanceof CancelledError;
    const check = `check with ${checkToolFor(record.action) ?? 'the matching list tool'} before calling again`;
    return new SwasError({
      code: 'OutcomeUnknown',
      stage: stopped ? 'cancelled' : cause?.stage === 'network' ? 'network' : 'internal',
      message: stopped
        ? `${record.action} was sent, but the call was stopped before its answer came back: it may have been applied; ${check}.`
        : `${record.action} got no answer (${typeof cause?.code === 'string' ? cause.code : 'an unexpected failure'}): it may have reached the API and been applied; ${check}.`,
    });
  }
  return err;
}

/**
 * Records that a request the API answered with success changed nothing (the read-back after it
 * shows the resource as before: the API took it as a repeat of an earlier ClientToken). The line
 * is a `reconciled` outcome with `found: "not-applied"`; a ledger that cannot take it is a warning.
 */
export async function recordNotApplied(ctx: ToolContext, call: ToolCall, record: WriteRecord): Promise<void> {
  try {
    await ctx.ledger.append({
      time: new Date(ctx.now()).toISOString(), tool: record.tool, action: record.action, phase: 'outcome',
      regionId: record.regionId, resourceIds: record.resourceIds, clientToken: record.clientToken,
      argsDigest: argsDigest(requestArgs(record.args)), ok: false, outcome: 'reconciled', found: 'not-applied', simulated: ctx.simulated,
      ...(ctx.requestedBy ? { requestedBy: requestedByOf(ctx.requestedBy) } : {}),
    });
  } catch (err) {
    const warning = `${record.action} changed nothing, but the audit ledger could not record that (${err instanceof Error ? err.message : String(err)}).`;
    ctx.log.error({ tool: record.tool, action: record.action }, warning);
    (call.ledgerWarnings ??= []).push(warning);
  }
}

/** Sends one write: its intent is in the ledger before it is sent, its outcome after. Every change goes through here. */
export async function sendWrite<R>(ctx: ToolContext, call: ToolCall, record: WriteRecord, send: (signal: AbortSignal) => Promise<R>,
  outcomeIds?: (result: R) => string[]): Promise<R> {
  // A change of unknown outcome on these resources is settled first, so the record reads in order.
  await reconcile(ctx, record.resourceIds, call.signal);
  let result: R;
  try {
    result = await audited(ctx.ledger, {
      tool: record.tool, action: record.action, regionId: record.regionId, resourceIds: record.resourceIds,
      clientToken: record.clientToken, argsDigest: argsDigest(requestArgs(record.args)), simulated: ctx.simulated,
      ...(record.expect ? { expect: record.expect } : {}),
      ...(record.cost ? { cost: record.cost } : {}),
      ...(call.consent ? { consent: call.consent } : {}),
      ...(ctx.requestedBy ? { requestedBy: requestedByOf(ctx.requestedBy) } : {}),
    }, () => send(call.signal), ctx.now, {
      signal: call.signal,
      ...(outcomeIds ? { outcomeIds } : {}),
      onLedgerWarning: (warning) => {
        ctx.log.error({ tool: record.tool, action: record.action }, warning);
        (call.ledgerWarnings ??= []).push(warning);
      },
    });
  } catch (err) {
    throw explainedWriteError(ctx, record, err);
  }
  noteCreatedBy(result, ctx.now());
  return result;
}

/** A create's answer names what it made: a wait then knows it is new, and not yet listed rather than missing. */
function noteCreatedBy(result: unknown, atMs: number): void {
  if (result === null || typeof result !== 'object') return;
  for (const key of ['ImageId', 'SnapshotId'] as const) {
    const id = (result as Record<string, unknown>)[key];
    if (typeof id === 'string' && id !== '') noteCreated(id, atMs);
  }
}

const WAIT_FIELDS: Record<ResourceKind, string> = { image: 'ImageIds', snapshot: 'SnapshotIds', instance: 'InstanceIds' };

/** The words that tell the agent how to keep waiting: wait_for_resources with the IDs to pass. */
export function keepWaitingArgs(regionId: string, watches: Watch[]): string {
  const args: Record<string, unknown> = { RegionId: regionId };
  for (const w of watches) ((args[WAIT_FIELDS[w.kind]] ??= []) as string[]).push(w.id);
  const untils = [...new Set(watches.map((w) => w.until))];
  if (untils.length === 1) args.Until = untils[0];
  return `wait_for_resources with ${JSON.stringify(args)}`;
}

/** What a person should expect of the wait, by what is waited for (or as the caller says). */
function howLong(watches: Watch[], expectation?: string): string {
  if (expectation) return expectation;
  if (watches.every((w) => w.until === 'Deleted')) return 'deletion is asynchronous and can take a while';
  if (watches.every((w) => w.kind === 'instance')) return 're-installing a server usually takes a few minutes';
  return 'snapshots and images usually take minutes to tens of minutes';
}

export interface AfterWriteWait {
  outcome?: WaitOutcome;
  /** The wait itself failed (the write did not): the error code. */
  stoppedEarly?: string;
  /** A note for the result: what to do if it is not done yet. */
  note?: string;
}

/**
 * The optional wait after a write, bounded by the configured wait. It never turns a successful
 * write into a failure: a wait that stops early says so, with the way to keep waiting.
 */
export async function waitAfterWrite(ctx: ToolContext, call: ToolCall, regionId: string, watches: Watch[], errCtx: ErrorContext, expectation?: string): Promise<AfterWriteWait> {
  const next = keepWaitingArgs(regionId, watches);
  try {
    const outcome = await waitForResources(ctx.api, regionId, watches, {
      timeoutMs: ctx.config.waitTimeoutMs, pollIntervalMs: ctx.config.pollIntervalMs, signal: call.signal, progress: call.progress,
      ...(ctx.waitClock ? { clock: ctx.waitClock } : {}),
    });
    if (outcome.allDone || outcome.anyFailed) return { outcome };
    const states = outcome.states.map((s) => `${s.Id} is ${s.State}${s.Progress ? ` (${s.Progress})` : ''}`).join('; ');
    return {
      outcome,
      note: `Still in progress after ${Math.round(outcome.elapsedMs / 1000)} s (${states}). That is normal: ${howLong(watches, expectation)}. Call ${next} to keep waiting; nothing needs to be sent again.`,
    };
  } catch (err) {
    // Our own stop (the server shutting down), not the client's cancel: say which.
    if (call.signal.aborted && !call.mcp.mcpReq.signal.aborted) {
      return { stoppedEarly: 'ServerShuttingDown', note: `Waiting stopped early because the server is shutting down; the request itself was carried out. Call ${next} to keep waiting.` };
    }
    const readAction = failedReadAction(err);
    const { error } = toFailure(err, readAction ? { ...errCtx, action: readAction } : errCtx, ctx.log);
    return { stoppedEarly: error.Code, note: `Waiting stopped early (${error.Code}); the request itself was carried out. Call ${next} to keep waiting.` };
  }
}
