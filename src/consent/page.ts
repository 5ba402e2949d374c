import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readBody } from '../http/node-bridge.js';
import type { ApprovalStore, SecretGrant } from './approvals.js';
import { planText } from './plan.js';
import { approverOf, finishLogin, refusalFor, refuseApproval, renderLoginApprovalPage, startLogin, type ApprovalLoginDeps } from './login-page.js';

/**
 * The approval page a person opens: the plan, and Approve / Decline. Opening it changes nothing
 * (link previews fetch pages); only a POST to the page's own address, carrying the digest of the
 * plan it showed, decides. A link the model saw needs a passkey to approve.
 */

/** Every approval address starts with this path. */
export const APPROVAL_PATH = '/approve/';
const SECRET_SHAPE = /^[A-Za-z0-9_-]{20,64}$/;
const MAX_BODY = 64 * 1024;

/** Proof of a person by passkey (WebAuthn with user verification); see passkeys.ts. */
export interface PasskeyAuthority {
  enrolled(): Promise<boolean>;
  /** Authentication options for the page (JSON for the browser), bound to this approval. */
  options(approvalId: string, rpID: string): Promise<unknown>;
  /** The verified passkey's name, or undefined when the assertion does not prove a person. */
  verify(approvalId: string, response: unknown, rpID: string, origin: string): Promise<string | undefined>;
  /** The browser library, served to the page. */
  browserScript(): Promise<string>;
}

export interface ApprovalPageDeps {
  store: ApprovalStore;
  passkeys?: PasskeyAuthority;
  now: () => number;
  log: Logger;
  /** The origin the person's browser uses (scheme://host:port), for passkeys and the same-origin check. */
  origin(req: IncomingMessage): string;
  /** HTTP mode with OAuth: approving needs an approver's login (channel `login`) instead of a passkey. */
  login?: ApprovalLoginDeps;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));
}

export const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  // The secret is in the path: never leak it in a Referer to another site. Not `no-referrer`: with
  // it a browser sends `Origin: null` on the page's own form POST, which the same-origin check refuses.
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  res.end(body);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.45}pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem;border-radius:6px}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:1rem}.note{color:#555}</style>
</head><body>${body}</body></html>`;
}

/** The page for a pending approval. */
export function renderApprovalPage(grant: SecretGrant, secret: string): string {
  const a = grant.approval;
  const action = `${APPROVAL_PATH}${secret}`;
  const plan = `<h1>Approve this change?</h1><p class="note">Asked by the SWAS image server (${escapeHtml(a.tool)}). Nothing has been sent yet.</p><pre id="plan">${escapeHtml(planText(a.plan))}</pre>`;
  const expires = `<p class="note">This request expires at ${escapeHtml(new Date(a.expiresAt).toISOString())}.</p>`;
  if (grant.needsPasskey) {
    return page('Approve with your passkey', `${plan}
<p>This link was given to the assistant, so approving needs your passkey.</p>
<button id="approve" data-action="${escapeHtml(action)}" data-digest="${escapeHtml(a.digest)}">Approve with passkey</button>
<form method="post" action="${escapeHtml(action)}" style="display:inline"><input type="hidden" name="digest" value="${escapeHtml(a.digest)}"><button name="decision" value="decline">Decline</button></form>
<p id="status" class="note"></p>${expires}
<script src="${APPROVAL_PATH}_/webauthn.js"></script><script src="${APPROVAL_PATH}_/approve.js"></script>`);
  }
  return page('Approve this change', `${plan}
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="digest" value="${escapeHtml(a.digest)}">
<button name="decision" value="approve" id="approve">Approve</button><button name="decision" value="decline" id="decline">Decline</button></form>${expires}`);
}

/** The page's own script: fetch options, ask the authenticator, post the assertion. */
const APPROVE_JS = `(function(){var b=document.getElementById('approve'),s=document.getElementById('status');
b.addEventListener('click',async function(){b.disabled=true;s.textContent='Waiting for your passkey…';try{
var o=await fetch(b.dataset.action+'/options',{method:'POST',headers:{'Content-Type':'application/json'},body:'{}'});
if(!o.ok)throw new Error(await o.text());var optionsJSON=await o.json();
var r=await SimpleWebAuthnBrowser.startAuthentication({optionsJSON:optionsJSON});
var p=await fetch(b.dataset.action,{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({decision:'approve',digest:b.dataset.digest,passkey:r})});
document.body.innerHTML=await p.text();}catch(e){s.textContent='Not approved: '+e.message;b.disabled=false;}});})();`;

export function decided(title: string, text: string): string {
  return page(title, `<h1 id="result">${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`);
}

function sameOrigin(req: IncomingMessage, origin: string): boolean {
  const given = req.headers.origin;
  return given === undefined || given === 'null' ? given === undefined : given === origin;
}

/**
 * Serves `/approve/…`. GET shows (never decides); POST decides. Answers 404 for a secret that
 * names nothing, the same for an expired one: a guesser learns nothing.
 */
export async function serveApprovalPage(req: IncomingMessage, res: ServerResponse, deps: ApprovalPageDeps): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const rest = path.slice(APPROVAL_PATH.length);
  if (req.method === 'GET' && rest === '_/approve.js') { send(res, 200, 'text/javascript; charset=utf-8', APPROVE_JS); return; }
  if (req.method === 'GET' && rest === '_/webauthn.js' && deps.passkeys) {
    send(res, 200, 'text/javascript; charset=utf-8', await deps.passkeys.browserScript());
    return;
  }
  if (deps.login && rest === 'callback') {
    if (req.method !== 'GET') { req.resume(); send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed'); return; }
    await finishLogin(req, res, deps.login, deps.now(), deps.log);
    return;
  }
  const [secret, sub] = rest.split('/', 2) as [string, string | undefined];
  const grant = SECRET_SHAPE.test(secret) ? await deps.store.bySecret(secret, deps.now()) : undefined;
  if (!grant) { req.resume(); send(res, 404, 'text/html; charset=utf-8', decided('Not found', 'This approval link is not valid or has expired. Nothing was sent.')); return; }
  const a = grant.approval;

  const login = deps.login;
  if (login && req.method === 'GET' && sub === 'login') {
    if (a.status === 'pending') await startLogin(res, secret, login, deps.now());
    else send(res, 200, 'text/html; charset=utf-8', decided('Already decided', 'This request was decided already.'));
    return;
  }
  if (req.method === 'GET' && sub === undefined) {
    if (a.status === 'pending' && login) send(res, 200, 'text/html; charset=utf-8', renderLoginApprovalPage(grant, secret, approverOf(req, login, deps.now())?.sub, login));
    else if (a.status === 'pending') send(res, 200, 'text/html; charset=utf-8', renderApprovalPage(grant, secret));
    else send(res, 200, 'text/html; charset=utf-8', decided('Already decided', `This request was ${a.status === 'declined' ? 'declined' : 'approved'} already.`));
    return;
  }
  if (req.method !== 'POST') { req.resume(); send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed'); return; }
  const origin = deps.origin(req);
  if (!sameOrigin(req, origin)) { req.resume(); send(res, 403, 'text/plain; charset=utf-8', 'Forbidden'); return; }
  const read = await readBody(req, MAX_BODY, 10_000);
  if (!read.ok) { send(res, 413, 'text/plain; charset=utf-8', 'Too large'); return; }
  const rpID = new URL(origin).hostname;

  if (sub === 'options') {
    if (!grant.needsPasskey || !deps.passkeys) { send(res, 404, 'text/plain; charset=utf-8', 'Not found'); return; }
    send(res, 200, 'application/json', JSON.stringify(await deps.passkeys.options(a.id, rpID)));
    return;
  }
  if (sub !== undefined) { send(res, 404, 'text/plain; charset=utf-8', 'Not found'); return; }

  const form = parseDecision(req.headers['content-type'], read.body);
  if (!form || form.digest !== a.digest) {
    send(res, 400, 'text/html; charset=utf-8', decided('Not decided', 'This answer does not belong to the plan on this page. Reload the page.'));
    return;
  }
  if (a.status !== 'pending') {
    send(res, 409, 'text/html; charset=utf-8', decided('Already decided', 'This request was decided already.'));
    return;
  }
  const session = login ? approverOf(req, login, deps.now()) : undefined;
  if (form.decision === 'decline') {
    // Declining sends nothing, so it needs no passkey or login; the record names only what was used.
    await deps.store.decide(a.id, 'declined', session ? { channel: 'login', approver: session.sub } : { channel: 'url' }, deps.now());
    deps.log.info({ approvalId: a.id, tool: a.tool }, 'approval declined on the page');
    send(res, 200, 'text/html; charset=utf-8', decided('Declined', 'Nothing will be sent. You can close this page.'));
    return;
  }
  if (login) {
    const refusal = session ? refusalFor(a, session.sub, login) : 'Approving needs you to log in first: reload the page and choose "Log in to approve".';
    if (refusal !== undefined) {
      deps.log.warn({ approvalId: a.id, approver: session?.sub }, 'approval refused: no login, or the requester');
      refuseApproval(res, refusal);
      return;
    }
    const ok = await deps.store.decide(a.id, 'approved', { channel: 'login', approver: session!.sub }, deps.now());
    deps.log.info({ approvalId: a.id, tool: a.tool, approver: session!.sub, ok }, 'approval given on the page after login');
    send(res, 200, 'text/html; charset=utf-8', ok
      ? decided('Approved', 'The change will be carried out by the waiting call (or the assistant\'s next call). You can close this page.')
      : decided('Already decided', 'This request was decided already.'));
    return;
  }
  let approver: string | undefined;
  if (grant.needsPasskey) {
    approver = deps.passkeys ? await deps.passkeys.verify(a.id, form.passkey, rpID, origin).catch(() => undefined) : undefined;
    if (approver === undefined) {
      deps.log.warn({ approvalId: a.id }, 'approval refused: no valid passkey');
      send(res, 403, 'text/html; charset=utf-8', decided('Not approved', 'Approving this request needs your passkey. Nothing was sent.'));
      return;
    }
  }
  const ok = await deps.store.decide(a.id, 'approved', grant.needsPasskey ? { channel: 'passkey', ...(approver ? { approver } : {}) } : { channel: 'url' }, deps.now());
  deps.log.info({ approvalId: a.id, tool: a.tool, ok }, 'approval given on the page');
  send(res, 200, 'text/html; charset=utf-8', ok
    ? decided('Approved', 'The change will be carried out by the waiting call (or the assistant\'s next call). You can close this page.')
    : decided('Already decided', 'This request was decided already.'));
}

interface Decision { decision: 'approve' | 'decline'; digest: string; passkey?: unknown }

function parseDecision(type: string | undefined, body: Buffer): Decision | undefined {
  const text = body.toString('utf8');
  let raw: Record<string, unknown>;
  if ((type ?? '').startsWith('application/json')) {
    try { raw = JSON.parse(text) as Record<string, unknown>; } catch { return undefined; }
    if (raw === null || typeof raw !== 'object') return undefined;
  } else if ((type ?? '').startsWith('application/x-www-form-urlencoded')) {
    raw = Object.fromEntries(new URLSearchParams(text));
  } else {
    return undefined;
  }
  const { decision, digest, passkey } = raw;
  if ((decision !== 'approve' && decision !== 'decline') || typeof digest !== 'string') return undefined;
  return { decision, digest, ...(passkey !== undefined ? { passkey } : {}) };
}
