import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { READ_ONLY_ANNOTATIONS, SIMULATED_NOTE, simulatedField, success, type ToolContext } from './common.js';
import { defineTool } from './registry.js';
import type { ProfileIdentity } from '../profiles/set.js';
import { identityWords } from '../auth/identity.js';
import { profileAllowed } from '../auth/settings.js';

export const listProfilesInput = lazySchema(() => z.strictObject({}));

const profileOut = lazySchema(() => z.object({
  Profile: z.string().describe('The name to pass as Profile.'),
  Default: z.boolean().describe('Used when a call gives no Profile.'),
  Mode: z.string().describe('How the profile gets its credentials (the aliyun CLI\'s mode: AK, StsToken, RamRoleArn, EcsRamRole, ...).'),
  RegionId: z.string().optional().describe('Default region of calls on this profile (its region_id), when it has one.'),
  Policy: z.enum(['read', 'write', 'destructive']).describe('The most a call on this profile may do.'),
  AccountId: z.string().optional().describe('The Alibaba Cloud account ID behind the profile (STS GetCallerIdentity).'),
  ErrorCode: z.string().optional().describe('Why the account ID could not be read.'),
  Allowed: z.boolean().optional().describe('With sign-in: whether the caller may use this profile.'),
}));

export const listProfilesOutput = lazySchema(() => z.object({
  Profiles: z.array(profileOut()),
  Caller: z.object({ Subject: z.string(), ClientId: z.string().optional() }).optional().describe('With sign-in: who is asking (the access token\'s subject and client).'),
  Simulated: simulatedField(),
}));

type Output = z.input<ReturnType<typeof listProfilesOutput>>;

function text(out: Output): string {
  const lines = [`${out.Profiles.length} profile(s) (Profile argument of every tool):`];
  for (const p of out.Profiles) {
    lines.push(`- "${p.Profile}"${p.Default ? ' (default)' : ''}: account ${p.AccountId ?? `unknown (${p.ErrorCode ?? 'error'})`}, mode ${p.Mode}, region ${p.RegionId ?? 'none (pass RegionId)'}, policy ${p.Policy}${p.Allowed === false ? ', not allowed for this user (SWAS_MCP_PROFILE_USERS)' : ''}`);
  }
  if (out.Caller) lines.push(`Caller: ${identityWords({ subject: out.Caller.Subject, ...(out.Caller.ClientId ? { clientId: out.Caller.ClientId } : {}) })}.`);
  lines.push('Next: list tools take Profile "all" to see every account at once; share_custom_image takes a profile name in Accounts.');
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listProfiles(signal: AbortSignal, ctx: ToolContext) {
  const profiles = ctx.profiles?.list ?? [];
  const who = ctx.requestedBy;
  const identities: ProfileIdentity[] = await Promise.all(profiles.map((p) => (signal.aborted ? { errorCode: 'Cancelled' } : p.identity())));
  const out: Output = {
    Profiles: profiles.map((p, i) => ({
      Profile: p.name, Default: i === 0, Mode: p.spec.mode, ...(p.regionId ? { RegionId: p.regionId } : {}), Policy: p.policy,
      ...(identities[i]!.accountId ? { AccountId: identities[i]!.accountId } : { ErrorCode: identities[i]!.errorCode }),
      ...(who ? { Allowed: profileAllowed(ctx.config.profileUsers, p.name, who.subject) } : {}),
    })),
    ...(who ? { Caller: { Subject: who.subject, ...(who.clientId ? { ClientId: who.clientId } : {}) } } : {}),
    Simulated: ctx.simulated,
  };
  return success(listProfilesOutput(), out, text(out));
}

/** Registered only when SWAS_MCP_PROFILES names several profiles (src/index.ts); not in ALL_TOOLS. */
export const listProfilesTool = defineTool({
  name: 'list_profiles',
  title: 'List the configured accounts (profiles)',
  description: [
    'Lists the Alibaba Cloud accounts this server may act on: each allowed profile\'s name (the Profile argument of every tool), whether it is the default, how it gets credentials (mode), its default region, its policy (read, write or destructive) and the account ID behind it (STS GetCallerIdentity).',
    'Use it to tell the accounts apart before acting, and to pick the Profile of a call. Read-only.',
  ].join(' '),
  inputSchema: listProfilesInput,
  outputSchema: listProfilesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ramActions: [],
  profileFree: true,
  handler: (_args, call, ctx) => listProfiles(call.signal, ctx),
});
