import type { AuditEntry, Expectation } from './entry.js';

/**
 * A ledger line as read back: the fields of an `AuditEntry` the history needs, checked one by one
 * (`outcome` and `found` kept as the text the file holds).
 */
export type LedgerLine = Pick<AuditEntry, 'time' | 'tool' | 'action' | 'phase' | 'regionId' | 'resourceIds' | 'argsDigest' | 'ok' | 'expect' | 'simulated'>
  & { clientToken: string; outcome?: string; found?: string };

/** An intent whose outcome is not known: its outcome line says `unknown`, or there is none. */
export interface PendingChange {
  intent: LedgerLine;
  /** True when no outcome line was written at all (the process ended first). */
  silent: boolean;
}

function parse(text: string): LedgerLine | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined; // a line cut short by a crash or a full disk: not a record
  }
  if (raw === null || typeof raw !== 'object') return undefined;
  const l = raw as Record<string, unknown>;
  if (typeof l.clientToken !== 'string' || typeof l.action !== 'string' || (l.phase !== 'intent' && l.phase !== 'outcome')) return undefined;
  if (!Array.isArray(l.resourceIds) || !l.resourceIds.every((x) => typeof x === 'string')) return undefined;
  return {
    time: String(l.time), tool: String(l.tool), action: l.action, phase: l.phase, regionId: String(l.regionId),
    resourceIds: l.resourceIds as string[], clientToken: l.clientToken, argsDigest: String(l.argsDigest),
    ...(typeof l.ok === 'boolean' ? { ok: l.ok } : {}),
    ...(typeof l.outcome === 'string' ? { outcome: l.outcome } : {}),
    ...(typeof l.found === 'string' ? { found: l.found } : {}),
    ...(l.expect !== null && typeof l.expect === 'object' ? { expect: l.expect as Expectation } : {}),
    simulated: l.simulated === true,
  };
}

/** Whether an outcome line says the change is in place: the API's success, or a read-back that found it. */
function applied(l: LedgerLine): boolean {
  if (l.outcome === 'reconciled') return l.found === 'applied';
  return l.outcome === 'ok' || (l.outcome === undefined && l.ok === true);
}

/**
 * What the ledger says so far, built line by line as the file is read: for each request (action
 * and ClientToken) its intent and last outcome, and for each resource the last change applied to it.
 */
export class LedgerHistory {
  private readonly requests = new Map<string, { intent?: LedgerLine; last?: LedgerLine }>();
  private readonly lastApplied = new Map<string, string>();

  /** Feeds whole lines (without their newline); lines that are not records are skipped. */
  add(texts: readonly string[]): void {
    for (const text of texts) {
      const l = parse(text);
      if (!l) continue;
      const key = `${l.action}\n${l.clientToken}`;
      const entry = this.requests.get(key) ?? {};
      if (l.phase === 'intent') {
        // A repeat of the same request (a retry) starts its wait for an outcome again.
        this.requests.set(key, { intent: l });
        continue;
      }
      entry.last = l;
      this.requests.set(key, entry);
      if (applied(l)) for (const id of l.resourceIds) this.lastApplied.set(id, l.clientToken);
    }
  }

  /** The ClientToken of the last change applied to each resource (absent: none recorded). */
  lastChangeOf(resourceIds: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of resourceIds) {
      const token = this.lastApplied.get(id);
      if (token !== undefined) out[id] = token;
    }
    return out;
  }

  /**
   * Changes whose outcome is unknown: an `unknown` outcome not yet reconciled, or an intent with no
   * outcome that is older than `silentAfter` (younger ones may still be in flight).
   */
  pending(silentAfter: number, resourceIds?: readonly string[]): PendingChange[] {
    const out: PendingChange[] = [];
    for (const { intent, last } of this.requests.values()) {
      if (!intent) continue;
      if (resourceIds && !intent.resourceIds.some((id) => resourceIds.includes(id))) continue;
      if (last === undefined) {
        const at = Date.parse(intent.time);
        if (Number.isFinite(at) && at <= silentAfter) out.push({ intent, silent: true });
      } else if (last.outcome === 'unknown') {
        out.push({ intent, silent: false });
      }
    }
    return out;
  }
}
