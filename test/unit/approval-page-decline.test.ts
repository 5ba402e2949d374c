// What the approval page records of a Decline: only what happened. A Decline needs no passkey, so
// a link that would need one to approve is recorded as the link (channel url), not as a passkey.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryApprovalStore } from '../../src/consent/approvals.js';
import { serveApprovalPage } from '../../src/consent/page.js';
import { personDecides } from '../helpers/human.js';

const PLAN = { Summary: 'Delete one custom image.', Steps: ['Delete image "web" (m-bp1abc).'], Irreversible: ['The image "web".'], Warnings: [], Details: [] };

let server: Server | undefined;
afterEach(async () => { await new Promise((r) => server?.close(r) ?? r(undefined)); server = undefined; });

async function pageFor(store: MemoryApprovalStore): Promise<string> {
  server = createServer((req, res) => {
    void serveApprovalPage(req, res, { store, now: Date.now, log: pino({ level: 'silent' }), origin: () => origin });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return origin;
}

describe('the approval page, on Decline', () => {
  for (const needsPasskey of [false, true]) {
    it(`records the link as the channel (a passkey ${needsPasskey ? 'would be' : 'is not'} needed to approve)`, async () => {
      const store = new MemoryApprovalStore();
      const origin = await pageFor(store);
      const a = await store.create({ tool: 'delete_custom_images', digest: 'd'.repeat(64), plan: PLAN, now: Date.now() });
      const secret = await store.addSecret(a.id, needsPasskey);
      const { status, answer } = await personDecides(`${origin}/approve/${secret}`, 'decline');
      expect(status).toBe(200);
      expect(answer).toContain('Declined');
      expect(await store.get(a.id, Date.now())).toMatchObject({ status: 'declined', decidedBy: { channel: 'url' } });
    });
  }
});
