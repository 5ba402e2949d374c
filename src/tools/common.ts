import type { IdleCollector } from '../idle-gc.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import type { AuditLedger } from '../audit/index.js';
import type { Config } from '../config.js';
import type { ApprovalPortal, ConsentSigner } from '../consent/index.js';
import { errorText, explain, explainInputOf, type ErrorContext } from '../explain/catalog.js';
import { SwasError, STAGES } from '../swas/errors.js';
import { CLIENT_TOKEN_PATTERN, REGION_ID_PATTERN, RESOURCE_GROUP_ID_PATTERN } from '../swas/shapes.js';
import type { SwasApi } from '../swas/types.js';
import type { CallProfile, ProfileSet } from '../profiles/set.js';
import type { Identity } from '../auth/identity.js';
import type { WaitClock } from '../wait.js';

/** What every tool handler is given besides its arguments. */
export interface ToolContext {
  api: SwasApi;
  config: Config;
  log: Logger;
  simulated: boolean;
  /** Every change is written here before it is sent, and its outcome after. */
  ledger: AuditLedger;
  /** Signs and checks ConfirmTokens (per process; shared by replicas in HTTP mode). */
  consent: ConsentSigner;
  /** Where a person approves a change (SWAS_MCP_CONSENT=human). */
  approvals?: ApprovalPortal;
  now: () => number;
  /**
   * The clock of the waits for images, snapshots and servers (wait_for_resources, WaitFor* after a
   * write): tests inject one so that a wait's time passes without being waited out. None in
   * production: Date.now and real timers.
   */
  waitClock?: WaitClock;
  /** With SWAS_MCP_PROFILES: every allowed profile (src/profiles). */
  profiles?: ProfileSet;
  /** With SWAS_MCP_PROFILES: the profile this call acts on (api, config.regionId, log and ledger are bound to it). */
  profile?: CallProfile;
  /** Profile "all": resolves once every account has its region list, so all regions of all accounts are listed in one wave. */
  regionsListed?: () => Promise<void>;
  /** The real process only: hands memory back once a burst of calls is over. */
  idle?: IdleCollector;
  /** HTTP with OAuth: who sent this request (the token's subject and client); recorded and shown with every change. */
  requestedBy?: Identity;
}

// ---- input pieces shared by several tools ----

export const regionIdField = lazySchema(() => z.string()
  .max(40, { message: 'RegionId is at most 40 characters' })
  .regex(REGION_ID_PATTERN, { message: 'RegionId must be a region ID such as cn-hangzhou or ap-southeast-1: lower-case letters and digits joined by hyphens' }));

export const REGION_DESCRIPTION = 'Region ID, e.g. "cn-hangzhou".';

const noUrl = (v: string) => !/https?:\/\//i.test(v);

export const tagSchema = lazySchema(() => z.strictObject({
  Key: z.string()
    .min(1, { message: 'Tag Key must not be empty' })
    .max(64, { message: 'Tag Key is at most 64 characters' })
    .refine(noUrl, { message: 'Tag Key must not contain http:// or https://' })
    .refine((k) => !/^(acs:|aliyun)/i.test(k), { message: 'Tag Key must not start with "acs:" or "aliyun"' })
    .describe('No "http(s)://"; not starting "acs:" or "aliyun".'),
  Value: z.string()
    .max(64, { message: 'Tag Value is at most 64 characters' })
    .refine(noUrl, { message: 'Tag Value must not contain http:// or https://' })
    .optional()
    .describe('No "http(s)://".'),
}));

export const tagsField = lazySchema(() => z.array(tagSchema())
  .max(20, { message: 'Tag holds at most 20 tags' })
  .refine((tags) => new Set(tags.map((t) => t.Key)).size === tags.length, { message: 'Tag keys must be unique' }));

export const clientTokenField = lazySchema(() => z.string()
  .regex(CLIENT_TOKEN_PATTERN, { message: 'ClientToken must be 1–64 printable ASCII characters' })
  .describe('Idempotency token. Omitted: derived from the request, so a repeat never creates twice; a new one repeats a request on purpose.'));

export const resourceGroupIdField = lazySchema(() => z.string()
  .regex(RESOURCE_GROUP_ID_PATTERN, { message: 'ResourceGroupId must look like rg-aek2bti7cf7xxxx' })
  .describe('Resource group of the new resource; default: the account\'s default group.'));

// ---- pieces of the read-only list tools ----

/** Annotations of every list tool: reads only, safe to repeat, talks to Alibaba Cloud. */
export const READ_ONLY_ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_RESULTS_CAP = 500;

export const maxResultsField = lazySchema(() => z.number().int()
  .min(1, { message: 'MaxResults must be at least 1' })
  .max(MAX_RESULTS_CAP, { message: `MaxResults is at most ${MAX_RESULTS_CAP}` })
  .default(DEFAULT_MAX_RESULTS)
  .describe('Most items to return, across all API pages; Truncated says whether more matched.'));

export const optionalRegionField = lazySchema(() => regionIdField().optional()
  .describe(`${REGION_DESCRIPTION} Default: the configured region.`));

/** A filter list of IDs or names as the API takes them: 1–100 entries, each of one shape. */
export function idListField(name: string, pattern: RegExp, entry: string, everything: string) {
  return z.array(z.string().regex(pattern, { message: `Each ${name} entry must be ${entry}` }))
    .min(1, { message: `${name} must not be empty; omit it to list every ${everything}` })
    .max(100, { message: `${name} holds at most 100 entries` })
    .optional();
}

/** For `.refine(...noRepeats('ImageIds', 'an image'))` on a list of IDs or keys. */
export function noRepeats(name: string, what: string) {
  return [(xs: readonly string[]) => new Set(xs).size === xs.length, { message: `${name} must not repeat ${what}` }] as const;
}

// ---- output pieces ----

export const errorSchema = lazySchema(() => z.object({
  Code: z.string().describe('Error code; the code the Alibaba Cloud API uses wherever one exists.'),
  Message: z.string(),
  Stage: z.enum(STAGES),
  Retryable: z.boolean().describe('True when the same call may succeed later unchanged.'),
  NextSteps: z.array(z.string()),
  RequestId: z.string().optional(),
  Recommend: z.string().optional().describe('Alibaba Cloud troubleshooting link.'),
}));

export const simulatedField = lazySchema(() => z.boolean().describe('True when the server runs against its built-in simulator, not Alibaba Cloud.'));

/** The line every text answer ends with in simulate mode. */
export const SIMULATED_NOTE = '(Simulated: this ran against the built-in SWAS simulator, not Alibaba Cloud.)';

// ---- results ----

/** Structured content is parsed through the advertised schema: the SDK client rejects extra keys. */
export function success<S extends z.ZodType>(schema: S, raw: z.input<S>, text: string): CallToolResult {
  const structured = schema.parse(raw) as Record<string, unknown>;
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export function failure<S extends z.ZodType>(schema: S, raw: z.input<S>, text: string): CallToolResult {
  const structured = schema.parse(raw) as Record<string, unknown>;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: structured };
}

/** Turns anything thrown inside a handler into the explained failure of the contract. */
export function toFailure(err: unknown, ctx: ErrorContext, log: Logger): { error: ReturnType<typeof explain>['error']; text: string } {
  const { input, authAction, unexpected } = explainInputOf(err);
  if (unexpected) {
    log.error({ err: err instanceof Error ? { name: err.name, stack: err.stack } : String(err), action: ctx.action }, 'unexpected failure in a tool');
  }
  const { error, why } = explain(input, authAction ? { ...ctx, authAction } : ctx);
  return { error, text: errorText(error, why) };
}

/** Resolves an optional RegionId against the configured default. */
export function regionOrDefault(regionId: string | undefined, config: Config): string {
  const region = regionId ?? config.regionId;
  if (!region) {
    throw new SwasError({
      code: 'MissingRegionId', stage: 'input',
      message: 'RegionId is required: no default region is configured (ALIBABA_CLOUD_REGION_ID or --region).',
    });
  }
  return region;
}
