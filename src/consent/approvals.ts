import { createHash, randomBytes } from '../node-crypto.js';
import { EventEmitter } from 'node:events';
import type { Plan } from './plan.js';

/** How consent was given, as the ledger records it. */
export type ConsentChannel = 'form' | 'url' | 'passkey' | 'login' | 'app' | 'confirm-token' | 'off';

/** What the ledger's intent line says of the consent behind a change. */
export interface ConsentRecord { channel: ConsentChannel; approver?: string }

/** An approval lasts this long from its creation. */
export const APPROVAL_TTL_MS = 10 * 60_000;

export type ApprovalStatus = 'pending' | 'approved' | 'declined' | 'used';

/**
 * One plan waiting for, or holding, a person's decision. It is bound to the plan's digest (tool,
 * normalised arguments, the state the plan saw): a call carries it out only when its own plan has
 * the same digest, once.
 */
export interface Approval {
  /** Shown to the model: names the approval, proves nothing. */
  id: string;
  tool: string;
  digest: string;
  plan: Plan;
  createdAt: number;
  expiresAt: number;
  status: ApprovalStatus;
  /** A page link was handed out: someone may be deciding on the page now. */
  offered: boolean;
  /** Shown in a host's plan view: the app-only tool may decide it (and only such approvals). */
  inApp?: boolean;
  /** Set by the decision: the channel the person used, and who they are when known. */
  decidedBy?: ConsentRecord;
  /** Who asked for the change (the OAuth subject of the call), when known: the page may refuse them as approver. */
  requestedBy?: Requester;
}

/** The identity behind a call in OAuth mode: the token's subject and client. */
export interface Requester { subject: string; clientId?: string }

/** A page link's secret opens the page for one approval; one the model saw needs a passkey. */
export interface SecretGrant { approval: Approval; needsPasskey: boolean }

/**
 * Where approvals live. In memory per process today; replicas behind a balancer need a shared
 * implementation (a database) so that the page's POST and the call's retry may reach any replica.
 * Every method is atomic on its own; `consume` is the single-use point.
 */
export interface ApprovalStore {
  create(input: { tool: string; digest: string; plan: Plan; now: number; requestedBy?: Requester }): Promise<Approval>;
  get(id: string, now: number): Promise<Approval | undefined>;
  /** A fresh page secret for an approval (returned once, kept only as a hash). */
  addSecret(id: string, needsPasskey: boolean): Promise<string>;
  bySecret(secret: string, now: number): Promise<SecretGrant | undefined>;
  /** Marks an approval as shown in a plan view (offered, like a page link): only such approvals may be decided from a view. */
  showInApp(id: string): Promise<void>;
  /** pending → approved/declined; false when it was not pending (or is gone). */
  decide(id: string, verdict: 'approved' | 'declined', by: ConsentRecord, now: number): Promise<boolean>;
  /** approved → used, when the digest matches and it has not expired: the one moment a change may go ahead. */
  consume(id: string, digest: string, now: number): Promise<Approval | undefined>;
  /** The newest pending or approved (unused, unexpired) approval for this digest: a client's retry without ApprovalId. */
  findByDigest(digest: string, now: number): Promise<Approval | undefined>;
  /** Resolves when the approval is decided (or gone), or after `timeoutMs`, or on abort. */
  waitForDecision(id: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Approvals still waiting for a person (the loopback page closes when there are none). */
  pendingCount(now: number): Promise<number>;
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** The in-process store: a Map, pruned of expired approvals as it is used. */
export class MemoryApprovalStore implements ApprovalStore {
  private readonly approvals = new Map<string, Approval>();
  private readonly secrets = new Map<string, { id: string; needsPasskey: boolean }>();
  private readonly decided = new EventEmitter();

  constructor(private readonly ttlMs: number = APPROVAL_TTL_MS) {
    this.decided.setMaxListeners(0);
  }

  async create(input: { tool: string; digest: string; plan: Plan; now: number; requestedBy?: Requester }): Promise<Approval> {
    this.prune(input.now);
    const a: Approval = {
      id: `apv-${randomBytes(12).toString('base64url')}`, tool: input.tool, digest: input.digest, plan: input.plan,
      createdAt: input.now, expiresAt: input.now + this.ttlMs, status: 'pending', offered: false,
      ...(input.requestedBy ? { requestedBy: { ...input.requestedBy } } : {}),
    };
    this.approvals.set(a.id, a);
    return { ...a };
  }

  async get(id: string, now: number): Promise<Approval | undefined> {
    this.prune(now);
    const a = this.approvals.get(id);
    return a ? { ...a } : undefined;
  }

  async addSecret(id: string, needsPasskey: boolean): Promise<string> {
    const secret = randomBytes(24).toString('base64url');
    const a = this.approvals.get(id);
    if (a) a.offered = true;
    this.secrets.set(hashOf(secret), { id, needsPasskey });
    return secret;
  }

  async bySecret(secret: string, now: number): Promise<SecretGrant | undefined> {
    this.prune(now);
    const s = this.secrets.get(hashOf(secret));
    const a = s ? this.approvals.get(s.id) : undefined;
    return s && a ? { approval: { ...a }, needsPasskey: s.needsPasskey } : undefined;
  }

  async showInApp(id: string): Promise<void> {
    const a = this.approvals.get(id);
    if (a) { a.offered = true; a.inApp = true; }
  }

  async decide(id: string, verdict: 'approved' | 'declined', by: ConsentRecord, now: number): Promise<boolean> {
    this.prune(now);
    const a = this.approvals.get(id);
    if (!a || a.status !== 'pending') return false;
    a.status = verdict;
    a.decidedBy = by;
    this.decided.emit(id);
    return true;
  }

  async consume(id: string, digest: string, now: number): Promise<Approval | undefined> {
    this.prune(now);
    const a = this.approvals.get(id);
    if (!a || a.status !== 'approved' || a.digest !== digest) return undefined;
    a.status = 'used';
    return { ...a };
  }

  async findByDigest(digest: string, now: number): Promise<Approval | undefined> {
    this.prune(now);
    let found: Approval | undefined;
    for (const a of this.approvals.values()) {
      if (a.digest === digest && (a.status === 'pending' || a.status === 'approved')) found = a;
    }
    return found ? { ...found } : undefined;
  }

  waitForDecision(id: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const a = this.approvals.get(id);
    if (!a || a.status !== 'pending' || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.decided.off(id, done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.decided.on(id, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async pendingCount(now: number): Promise<number> {
    this.prune(now);
    let n = 0;
    for (const a of this.approvals.values()) if (a.status === 'pending') n += 1;
    return n;
  }

  private prune(now: number): void {
    for (const [id, a] of this.approvals) if (now >= a.expiresAt) this.approvals.delete(id);
    for (const [h, s] of this.secrets) if (!this.approvals.has(s.id)) this.secrets.delete(h);
  }
}
