// What both nginx files (in-process replicas, built replicas) do as a client: connect in an era
// with the bearer token, and check a missing or wrong token is refused.
import { type Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import { MCP_POST_HEADERS, rawRequest, toolsCallBody } from './nginx.js';
import { testClient } from './test-client.js';

export const TOKEN = 'nginx-e2e-token-3b9d2f6a8c1e4a7b';
export type Era = 'legacy' | 'modern' | 'auto';

export async function connect(url: string, era: Era, token = TOKEN): Promise<Client> {
  const versionNegotiation = era === 'modern' ? { mode: { pin: '2026-07-28' as const } } : era === 'auto' ? { mode: 'auto' as const } : undefined;
  const client = testClient(`nginx-e2e-${era}`, versionNegotiation ? { versionNegotiation } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

export async function refusedEverywhere(urls: string[]): Promise<void> {
  for (const url of urls) {
    const body = toolsCallBody('list_instances', {});
    const missing = await rawRequest(url, { method: 'POST', headers: MCP_POST_HEADERS, body });
    const wrong = await rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Authorization: `Bearer not-${TOKEN}` }, body });
    for (const res of [missing, wrong]) {
      expect(res.status, url).toBe(401);
      expect(res.headers['www-authenticate'], url).toBe('Bearer');
    }
  }
}
