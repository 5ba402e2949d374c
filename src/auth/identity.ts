import type { Plan } from '../consent/plan.js';
import type { ToolDefinition } from '../tools/registry.js';

/** Who sent an HTTP request, from its verified OAuth access token. Never the token itself. */
export interface Identity {
  /** The token's `sub`: the user (authorization code) or the client (client credentials). */
  subject: string;
  /** The OAuth client the token was issued to (`client_id`, else `azp`). */
  clientId?: string;
  /** The token's scopes. */
  scopes: readonly string[];
}

export const SCOPES = {
  read: 'swas:read',
  write: 'swas:write',
  destructive: 'swas:destructive',
  approve: 'swas:approve',
} as const;

export const ALL_SCOPES: readonly string[] = Object.values(SCOPES);

/**
 * The scope a tool needs — the one place it is decided, from the registry's `kind` (the same
 * classification --read-only, --allow-destructive and profile policies use; a read tool is one
 * whose readOnlyHint is true). read: swas:read; write (create, tag, share): swas:write;
 * destructive (delete, reset) and purchase (create_servers_from_image spends money):
 * swas:destructive. `swas:approve` is for approving plans, not for a tool.
 */
export function scopeFor(tool: Pick<ToolDefinition, 'kind' | 'annotations'>): string {
  if (tool.kind === 'read' && tool.annotations.readOnlyHint === true) return SCOPES.read;
  if (tool.kind === 'write') return SCOPES.write;
  return SCOPES.destructive;
}

/** The tools a token's scopes allow (what its tools/list shows). */
export function toolsForScopes<T extends Pick<ToolDefinition, 'kind' | 'annotations'>>(tools: readonly T[], scopes: readonly string[]): T[] {
  return tools.filter((t) => scopes.includes(scopeFor(t)));
}

/** "alice (client agent-1)", as plans and texts name the requester. */
export function identityWords(who: Pick<Identity, 'subject' | 'clientId'>): string {
  return who.clientId && who.clientId !== who.subject ? `${who.subject} (client ${who.clientId})` : who.subject;
}

/** The ledger's `requestedBy`. */
export function requestedByOf(who: Pick<Identity, 'subject' | 'clientId'>): { subject: string; clientId?: string } {
  return { subject: who.subject, ...(who.clientId ? { clientId: who.clientId } : {}) };
}

/**
 * A consent request made by a known user: the plan says who asked ("Requested by …"), wherever a
 * person reads it (form, approval page, ConfirmationRequired text).
 */
export function forRequester<R extends { plan: Plan }>(req: R, who: Pick<Identity, 'subject' | 'clientId'>): R {
  return { ...req, plan: { ...req.plan, Summary: `${req.plan.Summary} Requested by ${identityWords(who)}.` } };
}
