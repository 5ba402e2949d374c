import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { nullMembersAsUnset, publish, publishInput } from '../tools/publish.js';
import type { ToolDefinition } from '../tools/registry.js';
import type { ProfileSet } from './set.js';

type Json = Record<string, unknown>;

/** The list tools: they also take Profile "all" (every allowed account at once). */
export const FLEET_TOOLS: ReadonlySet<string> = new Set(['list_instances', 'list_snapshots', 'list_custom_images', 'list_images']);
export const ALL_PROFILES = 'all';

/** What a validated call of a tool with profiles carries to the wrapper. */
export interface ProfiledArgs {
  args: Record<string, unknown>;
  /** The profile named, "all", or undefined (the default). */
  profile?: string;
  /** Accounts entries that named a profile: account ID → profile name. */
  accountNames: Record<string, string>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function clone(json: Json): Json {
  return structuredClone(json);
}

type Published<T> = StandardSchemaWithJSON<unknown, T>;

/** Valid input split into its parts, or the issues our refusal names. */
export type ProfiledParse = { success: true; data: ProfiledArgs } | { success: false; error: z.ZodError };

/** A tool's input with Profile: what the SDK publishes, and the parse the tool's wrapper runs. */
export interface ProfiledInput {
  /** Publishes the tool's schema with Profile; lets every value through, so that a refusal is ours. */
  sdk: Published<unknown>;
  /** Splits Profile off, maps profile names in Accounts to account IDs, then parses with the tool's schema. */
  parse(value: unknown): Promise<ProfiledParse>;
  argumentNames(): string[];
}

// HTTP mode builds a server for every request: each tool's wrapped schemas (and their JSON) are built once.
const inputs = new WeakMap<ProfileSet, Map<string, ProfiledInput>>();
const outputs = new Map<string, Published<unknown>>();

/**
 * Accepts `Profile` (and, in Accounts, a profile name); the tool's own schema validates the rest.
 * `unpublished` are the arguments accepted but not published (as without profiles).
 */
export function profiledInput(tool: ToolDefinition, profiles: ProfileSet, unpublished: readonly string[] = []): ProfiledInput {
  let forSet = inputs.get(profiles);
  if (!forSet) inputs.set(profiles, (forSet = new Map<string, ProfiledInput>()));
  const key = `${tool.name} ${unpublished.join(',')}`;
  let made = forSet.get(key);
  if (!made) forSet.set(key, (made = makeProfiledInput(tool, profiles, unpublished)));
  return made;
}

/** The tool's output plus Profile and AccountId (on every row of a list, for Profile "all"). */
export function profiledOutput(tool: ToolDefinition, unpublished: readonly string[] = []): Published<unknown> {
  const key = `${tool.name} ${unpublished.join(',')}`;
  let made = outputs.get(key);
  if (!made) outputs.set(key, (made = makeProfiledOutput(tool, unpublished)));
  return made;
}

const refused = (path: string, message: string, input: unknown): ProfiledParse => ({
  success: false, error: new z.ZodError([{ code: 'custom', path: [path], message, input }]),
});

function makeProfiledInput(tool: ToolDefinition, profiles: ProfileSet, unpublished: readonly string[]): ProfiledInput {
  const inner = publishInput(tool.inputSchema, unpublished, tool.name);
  const fleet = FLEET_TOOLS.has(tool.name);
  const allowed = [...profiles.names, ...(fleet ? [ALL_PROFILES] : [])];
  let json: Json | undefined;
  const published = (): Json => {
    if (json) return json;
    const base = clone(inner.sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as Json);
    const props = (base.properties ??= {}) as Record<string, Json>;
    props.Profile = {
      type: 'string', enum: allowed,
      description: `Which configured account (Alibaba Cloud CLI profile) to act on. Optional: "${profiles.default.name}" when omitted.${fleet ? ' "all": every allowed account at once, each row naming its profile.' : ''} list_profiles shows each profile's account ID, region and policy.`,
    };
    const accounts = props.Accounts as Json | undefined;
    const items = accounts?.items as Json | undefined;
    if (items && typeof items.pattern === 'string') {
      items.pattern = `^(?:${items.pattern.replace(/^\^/, '').replace(/\$$/, '')}|${profiles.names.map(escapeRe).join('|')})$`;
      accounts!.description = `${typeof accounts!.description === 'string' ? accounts!.description : ''} A configured profile's name (${profiles.names.join(', ')}) stands for its account ID.`;
    }
    json = base;
    return json;
  };
  const parse = async (raw: unknown): Promise<ProfiledParse> => {
    const value = nullMembersAsUnset(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      // The tool's schema, an object, refuses it in its own words.
      const res = inner.parse(value);
      return res.success ? refused('', 'The arguments must be an object', value) : { success: false, error: res.error };
    }
    const { Profile: asked, ...rest } = value as Record<string, unknown>;
    if (asked !== undefined && (typeof asked !== 'string' || !allowed.includes(asked))) {
      return refused('Profile', `Profile must be one of ${allowed.map((n) => `"${n}"`).join(', ')} (the profiles this server allows)`, asked);
    }
    const accountNames: Record<string, string> = {};
    if (Array.isArray(rest.Accounts)) {
      const mapped: unknown[] = [];
      for (const entry of rest.Accounts) {
        const named = typeof entry === 'string' ? profiles.get(entry) : undefined;
        if (!named) { mapped.push(entry); continue; }
        const who = await named.identity();
        if (!who.accountId) {
          return refused('Accounts', `Accounts names the profile "${named.name}", whose account ID could not be read (${who.errorCode ?? 'unknown'}); give the account ID instead`, rest.Accounts);
        }
        accountNames[who.accountId] = named.name;
        mapped.push(who.accountId);
      }
      rest.Accounts = mapped;
    }
    const res = inner.parse(rest);
    if (!res.success) return { success: false, error: res.error };
    return { success: true, data: { args: res.data as Record<string, unknown>, profile: typeof asked === 'string' ? asked : undefined, accountNames } };
  };
  return {
    sdk: {
      '~standard': {
        version: 1,
        vendor: 'swas-image-mcp',
        validate: (value: unknown) => ({ value }),
        jsonSchema: { input: () => published(), output: () => published() },
      },
    } as Published<unknown>,
    parse,
    argumentNames: () => Object.keys((published().properties ?? {}) as Json),
  };
}

const PROFILE_FIELDS = {
  Profile: { type: 'string', description: 'The profile (configured account) this came from.' },
  AccountId: { type: 'string', description: 'The Alibaba Cloud account ID behind the profile, when it could be read.' },
};

function makeProfiledOutput(tool: ToolDefinition, unpublished: readonly string[]): Published<unknown> {
  const inner = publish(tool.outputSchema, 'output', unpublished, tool.name)['~standard'];
  const fleet = FLEET_TOOLS.has(tool.name);
  let json: Json | undefined;
  const published = (): Json => {
    if (json) return json;
    const base = clone(inner.jsonSchema.output({ target: 'draft-2020-12' }) as Json);
    const props = (base.properties ??= {}) as Record<string, Json>;
    if (fleet) {
      for (const value of Object.values(props)) {
        const items = value.items as Json | undefined;
        if (value.type === 'array' && items?.type === 'object' && items.properties) Object.assign(items.properties as Json, clone(PROFILE_FIELDS));
      }
      props.Profiles = {
        type: 'array', description: 'Profile "all" only: how each account went.',
        items: {
          type: 'object', additionalProperties: false, required: ['Profile', 'Count'],
          properties: { ...clone(PROFILE_FIELDS), Count: { type: 'integer', description: 'Items listed from this account.' }, ErrorCode: { type: 'string', description: 'This account could not be listed (the others still were).' } },
        },
      };
    }
    Object.assign(props, clone(PROFILE_FIELDS));
    json = base;
    return json;
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'swas-image-mcp',
      // zod's objects ignore the added members; the published schema declares them.
      validate: (value: unknown) => inner.validate(value),
      jsonSchema: { input: () => published(), output: () => published() },
    },
  } as unknown as StandardSchemaWithJSON<unknown, unknown>;
}
