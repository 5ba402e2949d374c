import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { argsDigest, audited } from '../audit/index.js';
import type { ErrorContext } from '../explain/catalog.js';
import { checkLine, type Check } from '../preflight/checks.js';
import { deriveClientToken } from '../swas/token.js';
import { waitForResources, type ResourceKind, type WaitOutcome, type Watch } from '../wait.js';
import { failure, toFailure, type ToolContext } from './common.js';
import type { ToolCall } from './registry.js';

/**
 * The steps every write tool shares, in the order of the data flow: plan the exact request (with
 * its ClientToken), answer a dry run, send (ledger around it), wait with progress, and explain a
 * failure with the checks that ran. Each tool keeps only its own checks and words.
 */

/** The exact request a write sends: shown on dry runs, and the source of the derived ClientToken. */
export interface PlannedRequest<P> { Action: string; Endpoint: string; Parameters: P & { ClientToken: string } }

/** Output schema of a planned request, with the action's parameters declared (no open records). */
export function plannedRequestSchema<P extends z.ZodRawShape>(action: string, parameters: P) {
  return z.object({
    Action: z.enum([action]),
    Endpoint: z.string().describe('Host the request goes to.'),
    Parameters: z.object({ ...parameters, ClientToken: z.string() }),
  }).describe('Dry run: the exact API request that would be sent.');
}

/** Drops undefined members, so the request shows only what is sent. */
function definedOnly<T extends object>(params: T): T {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Plans the request. Without a given ClientToken one is derived from the action and the normalised
 * parameters, so the same request, repeated or retried, is the same request to the API.
 */
export function planRequest<P extends object>(ctx: ToolContext, action: string, regionId: string, params: P, givenToken?: string): PlannedRequest<P> {
  const ClientToken = givenToken ?? deriveClientToken(action, params as Record<string, unknown>);
  return { Action: action, Endpoint: ctx.api.hostFor(regionId), Parameters: { ...definedOnly(params), ClientToken } };
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
  /** The normalised arguments of the tool call. */
  args: unknown;
}

/** Sends one write: its intent is in the ledger before it is sent, its outcome after. Every change goes through here. */
export async function sendWrite<R>(ctx: ToolContext, call: ToolCall, record: WriteRecord, send: (signal: AbortSignal) => Promise<R>): Promise<R> {
  return audited(ctx.ledger, {
    tool: record.tool, action: record.action, regionId: record.regionId, resourceIds: record.resourceIds,
    clientToken: record.clientToken, argsDigest: argsDigest(record.args), simulated: ctx.simulated,
    ...(call.consent ? { consent: call.consent } : {}),
  }, () => send(call.signal), ctx.now);
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

/** What a person should expect of the wait, by what is waited for. */
function howLong(watches: Watch[]): string {
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
export async function waitAfterWrite(ctx: ToolContext, call: ToolCall, regionId: string, watches: Watch[], errCtx: ErrorContext): Promise<AfterWriteWait> {
  const next = keepWaitingArgs(regionId, watches);
  try {
    const outcome = await waitForResources(ctx.api, regionId, watches, {
      timeoutMs: ctx.config.waitTimeoutMs, pollIntervalMs: ctx.config.pollIntervalMs, signal: call.signal, progress: call.progress,
    });
    if (outcome.allDone || outcome.anyFailed) return { outcome };
    const states = outcome.states.map((s) => `${s.Id} is ${s.State}${s.Progress ? ` (${s.Progress})` : ''}`).join('; ');
    return {
      outcome,
      note: `Still in progress after ${Math.round(outcome.elapsedMs / 1000)} s (${states}). That is normal: ${howLong(watches)}. Call ${next} to keep waiting; nothing needs to be sent again.`,
    };
  } catch (err) {
    // Our own stop (the server shutting down), not the client's cancel: say which.
    if (call.signal.aborted && !call.mcp.mcpReq.signal.aborted) {
      return { stoppedEarly: 'ServerShuttingDown', note: `Waiting stopped early because the server is shutting down; the request itself was carried out. Call ${next} to keep waiting.` };
    }
    const { error } = toFailure(err, errCtx, ctx.log);
    return { stoppedEarly: error.Code, note: `Waiting stopped early (${error.Code}); the request itself was carried out. Call ${next} to keep waiting.` };
  }
}
