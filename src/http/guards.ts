import { createHash, timingSafeEqual } from '../node-crypto.js';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { isLoopbackHost } from '../loopback.js';
import { localhostAllowedHostnames, localhostAllowedOrigins, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';

/**
 * The Host and Origin allow-lists in force: the configured entries plus the bind address itself
 * (every loopback name on a loopback bind). `hosts: undefined` turns the Host check off, which
 * happens only on a wildcard bind (0.0.0.0, ::) with no configured hosts: the bearer token, required
 * there, is then the gate, and a balancer's health checks by IP get through. Origins always have a
 * list: an empty one refuses every browser-originated request, while non-browser clients send no
 * Origin at all and pass.
 */
export interface AllowLists { hosts: string[] | undefined; origins: string[] }

export function resolveAllowLists(bindHost: string, allowedHosts: readonly string[], allowedOrigins: readonly string[]): AllowLists {
  const loopback = isLoopbackHost(bindHost);
  const wildcard = ['0.0.0.0', '::', '[::]', ''].includes(bindHost);
  const own = loopback ? localhostAllowedHostnames() : wildcard ? [] : [hostnameOnly(bindHost)];
  const hosts = unique([...own, ...allowedHosts.map(hostnameOnly)]);
  const origins = unique([...(loopback ? localhostAllowedOrigins() : []), ...allowedOrigins.map(originHostname)]);
  return { hosts: hosts.length > 0 ? hosts : undefined, origins };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x !== ''))];
}

/** `Mcp.Example.com:443` -> `mcp.example.com`; `[::1]:8080` -> `[::1]` (the SDK's checks are port-agnostic). */
function hostnameOnly(entry: string): string {
  const e = entry.trim().toLowerCase();
  if (e.startsWith('[')) return e.slice(0, e.indexOf(']') + 1);
  if (isIP(e) === 6) return `[${e}]`;
  return e.replace(/:\d+$/, '');
}

/** Accepts `https://app.example.com[:port]`, a bare host name, or the SDK's `<scheme>://*` form. */
function originHostname(entry: string): string {
  const e = entry.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\/\*$/.test(e)) return e;
  if (e.includes('://')) {
    try { return new URL(e).hostname; } catch { return ''; }
  }
  return hostnameOnly(e);
}

/** Why a request is refused before anything else looks at it, or undefined when it may go on. */
export function hostOrOriginRefusal(headers: IncomingHttpHeaders, lists: AllowLists): string | undefined {
  if (lists.hosts) {
    const host = validateHostHeader(headers.host, lists.hosts);
    if (!host.ok) return host.errorCode;
  }
  const origin = validateOriginHeader(headers.origin, lists.origins);
  return origin.ok ? undefined : origin.errorCode;
}

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed first, so neither
 * the comparison nor an early length mismatch tells an attacker how much of a guess was right.
 */
export class BearerToken {
  private readonly digest: Buffer;
  constructor(token: string) {
    if (token === '') throw new Error('the HTTP bearer token must not be empty');
    this.digest = sha256(token);
  }

  matches(authorization: string | undefined): boolean {
    const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? '');
    // Hash something even when the header is absent, so both paths cost the same.
    const offered = sha256(m?.[1] ?? '');
    return timingSafeEqual(offered, this.digest) && m !== null;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
