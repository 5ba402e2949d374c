import { createHash } from '../node-crypto.js';

/**
 * A ClientToken derived from the normalised request: the same request always gets the same token,
 * so a retry, a time-out or a model calling the tool twice never creates a second resource.
 * `basis` (when given) is what the plan saw besides the request: a change that can be undone and
 * done again (share, tags, reset) is a new request once the resource has changed in between.
 */
export function deriveClientToken(action: string, params: Record<string, unknown>, basis?: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(basis === undefined ? { action, ...params } : { action, ...params, PlanBasis: basis })).digest('hex');
  return `mcp-${digest.slice(0, 40)}`;
}

/** JSON with object keys sorted and undefined members dropped, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
