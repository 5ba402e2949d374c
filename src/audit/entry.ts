/**
 * One line of the audit ledger. The type has no free-form field on purpose: nothing but these
 * names reaches the file (see `toLine`), so a secret cannot ride along in an extra property.
 */
export interface AuditEntry {
  time: string;
  tool: string;
  /** The API action, e.g. `DeleteCustomImages`. */
  action: string;
  phase: 'intent' | 'outcome';
  regionId: string;
  resourceIds: string[];
  clientToken?: string;
  /** SHA-256 hex of the normalised arguments (`argsDigest` of `requestArgs`). */
  argsDigest: string;
  requestId?: string;
  /** Outcome lines: kept for readers of the first format; `outcome` says more. */
  ok?: boolean;
  /**
   * Outcome lines: `ok` (the API answered success), `failed` (the API answered an error: nothing
   * changed), `unknown` (sent, but no answer came: it may have been applied), `reconciled` (what a
   * later read-back found, in `found`, for the line with the same clientToken).
   */
  outcome?: Outcome;
  errorCode?: string;
  /** How the change was agreed to (consent tools only). */
  consent?: { channel: string; approver?: string };
  /** Reconciled lines: whether the change is there (`applied`) or not (`not-applied`). */
  found?: 'applied' | 'not-applied';
  /** Intent lines: what the resources look like once the change is applied; read back to reconcile. */
  expect?: Expectation;
  simulated: boolean;
  /** With profiles: the profile the call acted on, and the account behind it. */
  profile?: string;
  accountId?: string;
  /** What an order costs (purchases only): the amount as a decimal string and its currency. */
  cost?: { amount: string; currency: string };
  /**
   * HTTP with OAuth: who asked for the change — the token's subject (`sub`) and the OAuth client
   * (`azp`/`client_id`) it was issued to. Absent in stdio and static-token mode.
   */
  requestedBy?: { subject: string; clientId?: string };
}

export type Outcome = 'ok' | 'failed' | 'unknown' | 'reconciled';

/**
 * What a change leaves behind, in terms a read can check, for every resource in `resourceIds`
 * (`reset`: the first one, the server). Closed on purpose: no free-form values reach the file.
 */
export type Expectation =
  | { kind: 'absent' }
  | { kind: 'ecs-share'; shared: boolean }
  | { kind: 'account-share'; shared: boolean; accounts: string[] }
  | { kind: 'tags'; put: { Key: string; Value: string }[]; removed: string[] }
  | { kind: 'reset'; imageId: string; fromImageId?: string };

/** What a caller of `audited` states once; time, phase and the outcome fields are filled in. */
export type AuditBase = Omit<AuditEntry, 'time' | 'phase' | 'requestId' | 'ok' | 'outcome' | 'errorCode' | 'found'>;

const MAX_FIELD = 256;
const MAX_IDS = 200;
const OUTCOMES: readonly Outcome[] = ['ok', 'failed', 'unknown', 'reconciled'];

/** Control characters out, length capped: a field is one short line of data, never markup. */
function clean(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}…[cut]` : text;
}

const cleanList = (xs: unknown): string[] => (Array.isArray(xs) ? xs.slice(0, MAX_IDS).map(clean) : []);

/** The expectation rebuilt field by field, as `toLine` does for the entry; anything else is dropped. */
function cleanExpect(x: Expectation): Expectation | undefined {
  switch (x.kind) {
    case 'absent': return { kind: 'absent' };
    case 'ecs-share': return { kind: 'ecs-share', shared: x.shared === true };
    case 'account-share': return { kind: 'account-share', shared: x.shared === true, accounts: cleanList(x.accounts) };
    case 'tags': return {
      kind: 'tags',
      put: (Array.isArray(x.put) ? x.put.slice(0, MAX_IDS) : []).map((t) => ({ Key: clean(t.Key), Value: clean(t.Value) })),
      removed: cleanList(x.removed),
    };
    case 'reset': return { kind: 'reset', imageId: clean(x.imageId), ...(x.fromImageId !== undefined ? { fromImageId: clean(x.fromImageId) } : {}) };
    default: return undefined;
  }
}

/**
 * The JSON line for an entry, built field by field from the contract's names in a fixed order.
 * Properties that are not in `AuditEntry` (a cast, a spread of an API request) are dropped here.
 */
export function toLine(e: AuditEntry): string {
  const line: Record<string, unknown> = {
    time: clean(e.time),
    tool: clean(e.tool),
    action: clean(e.action),
    phase: e.phase === 'outcome' ? 'outcome' : 'intent',
    regionId: clean(e.regionId),
    resourceIds: cleanList(e.resourceIds),
  };
  if (e.clientToken !== undefined) line.clientToken = clean(e.clientToken);
  line.argsDigest = clean(e.argsDigest);
  if (e.requestId !== undefined) line.requestId = clean(e.requestId);
  if (e.ok !== undefined) line.ok = e.ok === true;
  if (e.outcome !== undefined && OUTCOMES.includes(e.outcome)) line.outcome = e.outcome;
  if (e.errorCode !== undefined) line.errorCode = clean(e.errorCode);
  if (e.consent !== undefined && e.phase !== 'outcome') {
    line.consent = { channel: clean(e.consent.channel), ...(e.consent.approver !== undefined ? { approver: clean(e.consent.approver) } : {}) };
  }
  if (e.found !== undefined) line.found = e.found === 'applied' ? 'applied' : 'not-applied';
  const expect = e.expect === undefined ? undefined : cleanExpect(e.expect);
  if (expect) line.expect = expect;
  line.simulated = e.simulated === true;
  if (e.profile !== undefined) line.profile = clean(e.profile);
  if (e.accountId !== undefined) line.accountId = clean(e.accountId);
  if (e.cost !== undefined) line.cost = { amount: clean(e.cost.amount), currency: clean(e.cost.currency) };
  if (e.requestedBy !== undefined) {
    line.requestedBy = {
      subject: clean(e.requestedBy.subject),
      ...(e.requestedBy.clientId !== undefined ? { clientId: clean(e.requestedBy.clientId) } : {}),
    };
  }
  return `${JSON.stringify(line)}\n`;
}
