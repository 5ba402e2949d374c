// Issue 8 item 17: DEBUG=httpx:* (or *) must not print the STS token or the Authorization header.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silenceSecretDebugNamespaces } from '../../src/log.js';

const require = createRequire(import.meta.url);
const TOKEN = 'STS-TOKEN-do-not-print-7f3a';
const AUTH = 'ACS3-HMAC-SHA256 Credential=AKIDx,SignedHeaders=host,Signature=abcdef0123';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"AccessKeySecret":"body-secret"}'); }); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Loads fresh copies of `debug` and `httpx` (as the SDK's first call does), with DEBUG as given, and captures what they print. */
async function debugOutputOfOneRequest(debugEnv: string, silence: boolean): Promise<string> {
  for (const key of Object.keys(require.cache)) {
    if (/[\\/]node_modules[\\/](debug|httpx|ms)[\\/]/.test(key)) delete require.cache[key];
  }
  const saved = process.env.DEBUG;
  process.env.DEBUG = debugEnv;
  try {
    if (silence) silenceSecretDebugNamespaces(process.env);
    const debug = require('debug') as { log: (...args: unknown[]) => void };
    const printed: string[] = [];
    debug.log = (...args: unknown[]) => { printed.push(format(...args)); };
    const httpx = require('httpx') as { request(url: string, opts: object): Promise<{ resume(): void }>; read(res: unknown, enc: string): Promise<string> };
    const res = await httpx.request(url, { method: 'POST', headers: { authorization: AUTH, 'x-acs-security-token': TOKEN }, data: 'Action=ListInstances', timeout: 5_000 });
    await httpx.read(res, 'utf8');
    return printed.join('\n');
  } finally {
    if (saved === undefined) delete process.env.DEBUG; else process.env.DEBUG = saved;
  }
}

describe('debug namespaces that print credentials', () => {
  it('without the guard, DEBUG=httpx:* prints the token and the signature (the test can see a leak)', async () => {
    const out = await debugOutputOfOneRequest('httpx:*', false);
    expect(out).toContain(TOKEN);
    expect(out).toContain('Signature=abcdef0123');
  });
  it.each(['httpx:*', '*', 'httpx:header,httpx:body', 'sign,httpx:*,other'])('with the guard, DEBUG=%s prints neither', async (value) => {
    const out = await debugOutputOfOneRequest(value, true);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('Signature=');
    expect(out).not.toContain('body-secret');
  });
  it('keeps other namespaces and leaves an unset DEBUG alone', () => {
    const env: NodeJS.ProcessEnv = { DEBUG: 'express:*' };
    expect(silenceSecretDebugNamespaces(env)).toContain('httpx:*');
    expect(env.DEBUG).toBe('express:*,-httpx:*,-sign,-http-proxy-agent,-https-proxy-agent,-https-proxy-agent:*,-agent-base');
    silenceSecretDebugNamespaces(env);
    expect(env.DEBUG!.match(/-httpx:\*/g)).toHaveLength(1);
    const unset: NodeJS.ProcessEnv = {};
    expect(silenceSecretDebugNamespaces(unset)).toEqual([]);
    expect(unset).toEqual({});
  });
});
