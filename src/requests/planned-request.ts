import { deriveClientToken } from '../swas/token.js';

/**
 * The exact requests a write tool sends, planned from plain values: no server, no clock, no API.
 * Each tool's module in this folder says which requests, with which parameters and ClientTokens,
 * in which order, what each leaves behind, and whether a read-back shows it applied.
 */

/** The exact request a write sends: shown on dry runs, and the source of the derived ClientToken. */
export interface PlannedRequest<P> { Action: string; Endpoint: string; Parameters: P & { ClientToken: string } }

/** Drops undefined members, so the request shows only what is sent. */
function definedOnly<T extends object>(params: T): T {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Plans one request to `endpoint` (the region's API host). Without a given ClientToken one is
 * derived from the action and the normalised parameters (and `basis`, the state the plan saw), so
 * the same request, repeated or retried, is the same request to the API.
 */
export function plannedRequest<P extends object>(endpoint: string, action: string, params: P, givenToken?: string, basis?: unknown): PlannedRequest<P> {
  const ClientToken = givenToken ?? deriveClientToken(action, params as Record<string, unknown>, basis);
  return { Action: action, Endpoint: endpoint, Parameters: { ...definedOnly(params), ClientToken } };
}

/**
 * The ClientToken of one request of a plan of several, when the caller gave one: derived from that
 * token, the request's action and its parameters (one token cannot serve two actions). Undefined
 * when none was given: the request then derives its own (`plannedRequest`).
 */
export function tokenPerAction(given: string | undefined): (action: string, params: object) => string | undefined {
  return (action, params) => (given === undefined ? undefined : deriveClientToken(action, { ...params, GivenClientToken: given }));
}
