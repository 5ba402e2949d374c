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
  /** SHA-256 hex of the normalised arguments (`argsDigest`). */
  argsDigest: string;
  requestId?: string;
  ok?: boolean;
  errorCode?: string;
  /** How the change was agreed to (consent tools only). */
  consent?: { channel: string; approver?: string };
  simulated: boolean;
}

/** What a caller of `audited` states once; time, phase and the outcome fields are filled in. */
export type AuditBase = Omit<AuditEntry, 'time' | 'phase' | 'requestId' | 'ok' | 'errorCode'>;

const MAX_FIELD = 256;
const MAX_IDS = 200;

/** Control characters out, length capped: a field is one short line of data, never markup. */
function clean(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}…[cut]` : text;
}

/**
 * The JSON line for an entry, built field by field from the contract's names in a fixed order.
 * Properties that are not in `AuditEntry` (a cast, a spread of an API request) are dropped here.
 */
export function toLine(e: AuditEntry): string {
  const ids = Array.isArray(e.resourceIds) ? e.resourceIds : [];
  const line: Record<string, unknown> = {
    time: clean(e.time),
    tool: clean(e.tool),
    action: clean(e.action),
    phase: e.phase === 'outcome' ? 'outcome' : 'intent',
    regionId: clean(e.regionId),
    resourceIds: ids.slice(0, MAX_IDS).map(clean),
  };
  if (e.clientToken !== undefined) line.clientToken = clean(e.clientToken);
  line.argsDigest = clean(e.argsDigest);
  if (e.requestId !== undefined) line.requestId = clean(e.requestId);
  if (e.ok !== undefined) line.ok = e.ok === true;
  if (e.errorCode !== undefined) line.errorCode = clean(e.errorCode);
  if (e.consent !== undefined && e.phase !== 'outcome') {
    line.consent = { channel: clean(e.consent.channel), ...(e.consent.approver !== undefined ? { approver: clean(e.consent.approver) } : {}) };
  }
  line.simulated = e.simulated === true;
  return `${JSON.stringify(line)}\n`;
}
