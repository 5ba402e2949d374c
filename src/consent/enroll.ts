import { randomBytes } from '../node-crypto.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { readBody } from '../http/node-bridge.js';
import type { FilePasskeys } from './passkeys.js';

/**
 * `swas-image-mcp passkey add`: a one-off page on loopback (reached as `localhost`, the passkey's
 * relying party) where the operator creates a passkey for the approval page. When passkeys exist
 * already, one of them must be used first: a second passkey is added only by someone who holds one.
 */

export interface Enrollment {
  /** The page to open (carries a one-time secret). */
  url: string;
  /** Resolves with the new passkey's name once it is stored. */
  done: Promise<string>;
  close(): Promise<void>;
}

const HEADERS = {
  'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
};

const PAGE = (needsExisting: boolean, base: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Add a passkey</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}button,input{font-size:1rem;padding:.4rem}</style></head><body>
<h1>Add a passkey for approvals</h1>
<p>With this passkey you approve changes the SWAS image server asks you about. Your device will ask for your PIN, fingerprint or face.</p>
${needsExisting ? '<p><strong>Passkeys exist already:</strong> first confirm with one of them.</p>' : ''}
<label>Name of this passkey <input id="name" value="operator" maxlength="64"></label>
<p><button id="add">Add passkey</button></p><p id="status"></p>
<script src="${base}/webauthn.js"></script><script src="${base}/enroll.js"></script></body></html>`;

const ENROLL_JS = `(function(){var b=document.getElementById('add'),s=document.getElementById('status');
async function post(p,body){var r=await fetch(p,{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body||{})});if(!r.ok)throw new Error(await r.text());return r.json();}
b.addEventListener('click',async function(){b.disabled=true;try{
var a=await post(location.pathname+'/auth-options');
if(a.optionsJSON){var r=await SimpleWebAuthnBrowser.startAuthentication({optionsJSON:a.optionsJSON});await post(location.pathname+'/auth-verify',r);}
var o=await post(location.pathname+'/reg-options',{name:document.getElementById('name').value});
var c=await SimpleWebAuthnBrowser.startRegistration({optionsJSON:o});
await post(location.pathname+'/reg-verify',c);
s.id='done';s.textContent='Passkey added. You can close this page.';}catch(e){s.textContent='Not added: '+e.message;b.disabled=false;}});})();`;

export async function startEnrollment(passkeys: FilePasskeys, log: Logger, port = 0): Promise<Enrollment> {
  const secret = randomBytes(24).toString('base64url');
  const base = `/passkey/${secret}`;
  let provedHolder = false;
  let name = 'operator';
  let finish: (name: string) => void = () => undefined;
  const done = new Promise<string>((resolve) => { finish = resolve; });

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const origin = `http://${req.headers.host ?? ''}`;
      const send = (status: number, type: string, body: string) => { res.writeHead(status, { 'Content-Type': type, ...HEADERS }); res.end(body); };
      if (host !== 'localhost' || !path.startsWith(base)) { req.resume(); send(404, 'text/plain', 'Not found'); return; }
      const sub = path.slice(base.length);
      if (req.method === 'GET' && sub === '') { send(200, 'text/html; charset=utf-8', PAGE(await passkeys.enrolled(), base)); return; }
      if (req.method === 'GET' && sub === '/webauthn.js') { send(200, 'text/javascript', await passkeys.browserScript()); return; }
      if (req.method === 'GET' && sub === '/enroll.js') { send(200, 'text/javascript', ENROLL_JS); return; }
      if (req.method !== 'POST' || (req.headers.origin !== undefined && req.headers.origin !== origin)) { req.resume(); send(403, 'text/plain', 'Forbidden'); return; }
      const read = await readBody(req, 64 * 1024, 10_000);
      if (!read.ok) { send(413, 'text/plain', 'Too large'); return; }
      let body: Record<string, unknown>;
      try { body = JSON.parse(read.body.toString('utf8') || '{}') as Record<string, unknown>; } catch { send(400, 'text/plain', 'Bad JSON'); return; }
      const json = (v: unknown) => send(200, 'application/json', JSON.stringify(v));
      switch (sub) {
        case '/auth-options':
          json(await passkeys.enrolled() ? { optionsJSON: await passkeys.options('enroll', 'localhost') } : {});
          return;
        case '/auth-verify':
          provedHolder = (await passkeys.verify('enroll', body, 'localhost', origin).catch(() => undefined)) !== undefined;
          if (provedHolder) json({ ok: true }); else send(403, 'text/plain', 'That is not one of the enrolled passkeys.');
          return;
        case '/reg-options':
          if (await passkeys.enrolled() && !provedHolder) { send(403, 'text/plain', 'Passkeys exist already: confirm with one of them first.'); return; }
          name = typeof body.name === 'string' && body.name.trim() !== '' ? body.name.trim().slice(0, 64) : 'operator';
          json(await passkeys.registrationOptions('localhost', name));
          return;
        case '/reg-verify':
          if (await passkeys.enrolled() && !provedHolder) { send(403, 'text/plain', 'Passkeys exist already: confirm with one of them first.'); return; }
          if (await passkeys.register(body, 'localhost', origin, name).catch(() => false)) { json({ ok: true }); log.info({ name }, 'passkey added'); finish(name); }
          else send(400, 'text/plain', 'The passkey could not be verified (user verification is required).');
          return;
        default:
          send(404, 'text/plain', 'Not found');
      }
    })().catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'passkey page failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}${base}`;
  return {
    url, done,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
