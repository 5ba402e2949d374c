import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';
import type { AuditLedger } from '../audit/index.js';
import { errorText, explain } from '../explain/catalog.js';
import type { ToolContext } from '../tools/common.js';
import type { ToolCall, ToolDefinition } from '../tools/registry.js';
import { ALL_PROFILES, FLEET_TOOLS, type ProfiledArgs } from './schemas.js';
import { profileLabel, type CallProfile, type Profile, type ProfileSet } from './set.js';
import { policyRank } from './settings.js';
import { identityWords } from '../auth/identity.js';
import { profileAllowed, profileRule } from '../auth/settings.js';

type Result = CallToolResult | InputRequiredResult;


/** The tool context of one call on one profile: its SWAS client, default region, log and ledger. */
export function profileContext(ctx: ToolContext, profile: Profile, cp: CallProfile): ToolContext {
  const bindings = { profile: cp.name, ...(cp.accountId ? { accountId: cp.accountId } : {}) };
  const log = ctx.log.child(bindings);
  // The history passes through: a plan's basis (the last change the ledger recorded) holds on every profile.
  const history = ctx.ledger.history?.bind(ctx.ledger);
  const ledger: AuditLedger = { append: (e) => ctx.ledger.append({ ...e, ...bindings }), ...(history ? { history } : {}) };
  return { ...ctx, api: profile.api.withLog(log), config: { ...ctx.config, regionId: profile.regionId }, log, ledger, profile: cp };
}

function isCallResult(r: Result): r is CallToolResult {
  return Array.isArray((r as CallToolResult).content);
}

/** Adds the profile to a result: a closing line of text, and (several profiles) Profile/AccountId in structuredContent. */
function decorate(result: Result, cp: CallProfile, structured: boolean, accountNames: Record<string, string>): Result {
  if (!isCallResult(result)) return result;
  const lines = [`Profile: ${profileLabel(cp)}.`];
  const named = Object.entries(accountNames);
  if (named.length) lines.push(`Accounts named by profile: ${named.map(([id, name]) => `${id} is profile "${name}"`).join(', ')}.`);
  const first = result.content.find((c) => c.type === 'text');
  if (first && first.type === 'text') first.text = `${first.text}\n${lines.join('\n')}`;
  else result.content.push({ type: 'text', text: lines.join('\n') });
  if (structured && result.structuredContent) {
    result.structuredContent = { ...result.structuredContent, Profile: cp.name, ...(cp.accountId ? { AccountId: cp.accountId } : {}) };
  }
  return result;
}

/** A call beyond the profile's policy (or, with SWAS_MCP_PROFILE_USERS, by a user it does not allow): refused before anything is read, naming the setting. */
function refusal(tool: ToolDefinition, args: Record<string, unknown>, profile: Profile, ctx: ToolContext, structured: boolean,
  denied?: { code: string; message: string }): CallToolResult {
  const message = denied?.message ?? `Profile "${profile.name}" allows ${profile.policy === 'read' ? 'read-only' : profile.policy} tools only (SWAS_MCP_PROFILE_POLICY ${profile.name}:${profile.policy}, capped by the server-wide switches); ${tool.name} is a ${tool.kind} tool. Nothing was read or sent.`;
  const { error, why } = explain({ code: denied?.code ?? 'ProfilePolicyDenied', message, stage: 'config' }, { action: tool.name });
  const text = `${errorText(error, why)}\nProfile: "${profile.name}"${profile.knownAccountId ? ` (account ${profile.knownAccountId})` : ''}.`;
  // The error shape when the tool's output schema can carry it without more facts; text alone otherwise.
  const candidate = {
    Simulated: ctx.simulated, DryRun: args.DryRun === true, Checks: [], Notes: [], ...pickIds(args), Error: error,
  };
  const parsed = tool.outputSchema().safeParse(candidate);
  const structuredContent = parsed.success
    ? { ...(parsed.data as Record<string, unknown>), ...(structured ? { Profile: profile.name, ...(profile.knownAccountId ? { AccountId: profile.knownAccountId } : {}) } : {}) }
    : undefined;
  return { isError: true, content: [{ type: 'text', text }], ...(structuredContent ? { structuredContent } : {}) };
}

/** The request's own identifiers, echoed in a refusal (RegionId, ImageIds, ...). */
function pickIds(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([k]) => /^(RegionId|ImageId|InstanceId|[A-Z][A-Za-z]*Ids)$/.test(k)));
}

/** One call on one profile: the policy first, then the account ID, then the tool bound to the profile. */
async function onProfile(tool: ToolDefinition, profile: Profile, input: ProfiledArgs, call: ToolCall, ctx: ToolContext, structured: boolean,
  extra: Partial<ToolContext> = {}): Promise<{ result: Result; cp: CallProfile }> {
  if (policyRank(tool.kind) > policyRank(profile.policy)) {
    return { result: refusal(tool, input.args, profile, ctx, structured), cp: { name: profile.name } };
  }
  const { accountId } = await profile.identity();
  const named = Object.keys(input.accountNames).length > 0;
  const cp: CallProfile = { name: profile.name, ...(accountId ? { accountId } : {}), ...(named ? { accountNames: input.accountNames } : {}) };
  const result = await tool.handler(input.args, call, { ...profileContext(ctx, profile, cp), ...extra });
  return { result, cp };
}

/** Resolves when every one of `n` participants has arrived (each arrives at most once). */
function barrier(names: readonly string[]): (name: string) => Promise<void> {
  const waiting = new Set(names);
  let release!: () => void;
  const all = new Promise<void>((resolve) => { release = resolve; });
  return (name) => {
    if (waiting.delete(name) && waiting.size === 0) release();
    return all;
  };
}

/** Runs a tool for a validated call with profiles: one profile, or (list tools) every one. */
export async function runProfiled(tool: ToolDefinition, profiles: ProfileSet, input: ProfiledArgs, call: ToolCall, ctx: ToolContext): Promise<Result> {
  const structured = profiles.several;
  const who = ctx.requestedBy;
  const users = ctx.config.profileUsers;
  const mayUse = (p: Profile): boolean => !who || profileAllowed(users, p.name, who.subject);
  if (input.profile === ALL_PROFILES && FLEET_TOOLS.has(tool.name)) {
    // Profile "all" is every profile this user may use.
    const allowed = profiles.list.filter(mayUse);
    if (allowed.length > 0) return fleet(tool, profiles, input, call, ctx, allowed);
  }
  const profile = profiles.get(input.profile ?? profiles.default.name) ?? profiles.default;
  if (who && users && !mayUse(profile)) {
    const message = `User ${identityWords(who)} may not use profile "${profile.name}" (${profileRule(users, profile.name)}). Nothing was read or sent.`;
    return refusal(tool, input.args, profile, ctx, structured, { code: 'ProfileNotAllowedForUser', message });
  }
  const { result, cp } = await onProfile(tool, profile, input, call, ctx, structured);
  return decorate(result, cp, structured, input.accountNames);
}

type Structured = Record<string, unknown>;

/**
 * Profile "all": every allowed account at once. With RegionId "all" each account lists its regions,
 * all wait until every account has its list, then every account × region is listed in one wave.
 * Each row names its profile; an account that fails is reported in Profiles, the rest answered.
 */
async function fleet(tool: ToolDefinition, profiles: ProfileSet, input: ProfiledArgs, call: ToolCall, ctx: ToolContext,
  list: readonly Profile[] = profiles.list): Promise<CallToolResult> {
  const arrive = barrier(list.map((p) => p.name));
  const runs = await Promise.all(list.map(async (p) => {
    try {
      return await onProfile(tool, p, input, call, ctx, true, { regionsListed: () => arrive(p.name) });
    } finally {
      void arrive(p.name);
    }
  }));
  const rows: Record<string, unknown[]> = {};
  const outcomes: Structured[] = [];
  const texts: string[] = [];
  let merged: Structured | undefined;
  let totalCount = 0;
  let truncated = false;
  for (const { result, cp } of runs) {
    const r = result as CallToolResult;
    const sc = (r.structuredContent ?? {}) as Structured;
    const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    texts.push(`== Profile ${profileLabel(cp)} ==\n${text}`);
    const tag = { Profile: cp.name, ...(cp.accountId ? { AccountId: cp.accountId } : {}) };
    if (r.isError) {
      const code = ((sc.Error as Structured | undefined)?.Code as string | undefined) ?? 'UnknownError';
      outcomes.push({ ...tag, Count: 0, ErrorCode: code });
      continue;
    }
    let count = 0;
    merged ??= { ...sc };
    for (const [key, value] of Object.entries(sc)) {
      if (!Array.isArray(value)) continue;
      const list = (rows[key] ??= []);
      for (const item of value) list.push(item !== null && typeof item === 'object' ? { ...(item as Structured), ...tag } : item);
      if (key !== 'Regions') count += value.length;
    }
    if (typeof sc.TotalCount === 'number') totalCount += sc.TotalCount;
    truncated ||= sc.Truncated === true;
    if (merged.RegionId !== sc.RegionId) merged.RegionId = undefined;
    outcomes.push({ ...tag, Count: count });
  }
  const failed = outcomes.filter((o) => o.ErrorCode);
  const summary = `Profile "all": ${list.length} account(s)${list.length < profiles.list.length ? ' (those this user may use)' : ''}${failed.length ? `; could not list ${failed.map((o) => `"${String(o.Profile)}" (${String(o.ErrorCode)})`).join(', ')}, the others are complete` : ''}.`;
  if (!merged) {
    // Every account failed: the first account's error stands for the call.
    const first = runs[0]!.result as CallToolResult;
    return { isError: true, content: [{ type: 'text', text: [texts.join('\n\n'), summary].join('\n\n') }], structuredContent: { ...(first.structuredContent ?? {}), Profiles: outcomes } };
  }
  // A single account's figures (one region's quota) would mislead beside several accounts' rows.
  for (const [key, value] of Object.entries(merged)) if (value !== null && typeof value === 'object' && !Array.isArray(value)) delete merged[key];
  const structuredContent: Structured = { ...merged, ...rows, Profiles: outcomes, Simulated: ctx.simulated };
  if ('TotalCount' in merged) structuredContent.TotalCount = totalCount;
  if ('Truncated' in merged) structuredContent.Truncated = truncated;
  if (structuredContent.RegionId === undefined) delete structuredContent.RegionId;
  return { content: [{ type: 'text', text: [summary, ...texts].join('\n\n') }], structuredContent };
}
