import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Approval, SecretGrant } from './approvals.js';
import type { LoginResult } from './approver-login.js';
import {
  CookieSealer, randomToken, readCookie, sameSecret, SESSION_COOKIE, setCookie, TRANSACTION_COOKIE, type ApproverSession,
} from './login-cookies.js';
import { APPROVAL_PATH, decided, escapeHtml, page, SECURITY_HEADERS, send } from './page.js';
import { planText } from './plan.js';

/**
 * The approval page's login (HTTP mode with OAuth): a person logs in at the issuer and comes back
 * with a short-lived session cookie naming their subject; approving then needs that session.
 */

/** The login to the issuer, as the page needs it (ApproverLogin, or a stand-in in tests). */
export interface ApproverLoginAuthority {
  authorizationUrl(t: { state: string; nonce: string; verifier: string }): Promise<string>;
  finish(code: string, t: { nonce: string; verifier: string }): Promise<LoginResult>;
  readonly secureCookies: boolean;
}

export interface ApprovalLoginDeps {
  authority: ApproverLoginAuthority;
  sealer: CookieSealer;
  /** SWAS_MCP_APPROVAL_SEPARATE: the requester may not approve their own request. */
  separate: boolean;
}

/** How long a started login may take at the issuer. */
const LOGIN_TTL_MS = 10 * 60_000;
/** How long an approver stays logged in on the page. */
export const SESSION_TTL_MS = 15 * 60_000;

const html = 'text/html; charset=utf-8';

function redirect(res: ServerResponse, location: string, cookies: string[]): void {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: location, 'Set-Cookie': cookies });
  res.end();
}

/** The approver logged in on this browser, if any. */
export function approverOf(req: IncomingMessage, login: ApprovalLoginDeps, now: number): ApproverSession | undefined {
  return login.sealer.openSession(readCookie(req.headers.cookie, SESSION_COOKIE), now);
}

/** Why this person may not approve this request, or undefined when they may. */
export function refusalFor(a: Approval, approver: string, login: ApprovalLoginDeps): string | undefined {
  if (login.separate && a.requestedBy && a.requestedBy.subject === approver) {
    return `You (${approver}) asked for this change, and this server requires another person to approve it. Ask a colleague with approval rights to open this link.`;
  }
  return undefined;
}

/** GET /approve/<secret>/login: remember state, nonce and PKCE verifier in a signed cookie, go to the issuer. */
export async function startLogin(res: ServerResponse, secret: string, login: ApprovalLoginDeps, now: number): Promise<void> {
  const t = { state: randomToken(), nonce: randomToken(), verifier: randomToken(), secret, exp: now + LOGIN_TTL_MS };
  const location = await login.authority.authorizationUrl(t);
  redirect(res, location, [setCookie(TRANSACTION_COOKIE, login.sealer.sealTransaction(t), LOGIN_TTL_MS / 1000, login.authority.secureCookies)]);
}

/** GET /approve/callback: check state, exchange the code with the verifier, check the tokens, set the session. */
export async function finishLogin(req: IncomingMessage, res: ServerResponse, login: ApprovalLoginDeps, now: number, log: Logger): Promise<void> {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const clear = setCookie(TRANSACTION_COOKIE, '', 0, login.authority.secureCookies);
  const t = login.sealer.openTransaction(readCookie(req.headers.cookie, TRANSACTION_COOKIE), now);
  const refuse = (status: number, text: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': html, 'Set-Cookie': [clear] });
    res.end(decided('Not logged in', text));
  };
  if (!t) { refuse(400, 'This login was not started on this browser, or took too long. Open the approval link again. Nothing was approved.'); return; }
  const state = q.get('state') ?? '';
  if (!sameSecret(state, t.state)) {
    log.warn('approver login refused: state does not match');
    refuse(400, 'This login answer does not belong to the login started here (state). Open the approval link again. Nothing was approved.');
    return;
  }
  const error = q.get('error');
  const code = q.get('code');
  if (error !== null || !code) {
    refuse(403, `The issuer did not log you in (${(error ?? 'no code').replace(/[^\w.-]/g, '').slice(0, 64)}). Nothing was approved.`);
    return;
  }
  let result: LoginResult;
  try {
    result = await login.authority.finish(code, t);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'approver login failed');
    refuse(502, 'The login could not be completed with the issuer. Try again. Nothing was approved.');
    return;
  }
  if (result.kind === 'refused') {
    log.warn({ subject: result.subject, reason: result.reason }, 'approver login refused');
    refuse(403, `${result.reason} Nothing was approved.`);
    return;
  }
  log.info({ approver: result.subject }, 'approver logged in');
  const session = login.sealer.sealSession({ sub: result.subject, exp: now + SESSION_TTL_MS });
  redirect(res, `${APPROVAL_PATH}${t.secret}`, [clear, setCookie(SESSION_COOKIE, session, SESSION_TTL_MS / 1000, login.authority.secureCookies)]);
}

/** The page for a pending approval when approving needs a login. */
export function renderLoginApprovalPage(grant: SecretGrant, secret: string, approver: string | undefined, login: ApprovalLoginDeps): string {
  const a = grant.approval;
  const action = `${APPROVAL_PATH}${secret}`;
  const by = a.requestedBy ? ` for ${escapeHtml(a.requestedBy.subject)}` : '';
  const plan = `<h1>Approve this change?</h1><p class="note">Asked by the SWAS image server (${escapeHtml(a.tool)})${by}. Nothing has been sent yet.</p><pre id="plan">${escapeHtml(planText(a.plan))}</pre>`;
  const expires = `<p class="note">This request expires at ${escapeHtml(new Date(a.expiresAt).toISOString())}.</p>`;
  const decline = (inner: string) => `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="digest" value="${escapeHtml(a.digest)}">${inner}</form>`;
  if (approver === undefined) {
    return page('Log in to approve', `${plan}
<p>Approving needs you to log in with an account allowed to approve changes.</p>
<p><a id="login" href="${escapeHtml(action)}/login">Log in to approve</a></p>
${decline('<button name="decision" value="decline" id="decline">Decline</button>')}${expires}`);
  }
  const refusal = refusalFor(a, approver, login);
  if (refusal) {
    return page('Another person must approve', `${plan}<p id="refused">${escapeHtml(refusal)}</p>
${decline('<button name="decision" value="decline" id="decline">Decline</button>')}${expires}`);
  }
  return page('Approve this change', `${plan}<p class="note" id="approver">Logged in as ${escapeHtml(approver)}.</p>
${decline('<button name="decision" value="approve" id="approve">Approve</button><button name="decision" value="decline" id="decline">Decline</button>')}${expires}`);
}

/** Sends the refusal page for an approve POST without a usable login. */
export function refuseApproval(res: ServerResponse, text: string): void {
  send(res, 403, html, decided('Not approved', `${text} Nothing was sent.`));
}
