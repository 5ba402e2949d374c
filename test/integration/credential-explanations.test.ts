import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { startToolStack } from '../helpers/in-process.js';
import { call, SIM_CREDENTIALS, textOf, type Stack } from '../helpers/stack.js';

/**
 * Credentials the API refuses are explained on the call, naming what to fix and never echoing the
 * secret. (A start without credentials, or with unfilled placeholders, is the process's own
 * handling of its environment: test/mcpb.test.ts, whose start has unfilled placeholders.)
 */
const createArgs = (name: string) => ({ RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: name });

let stack: Stack | undefined;
afterEach(async () => { await stack?.close(); stack = undefined; });

describe('credential problems are explained', () => {
  it('explains a wrong secret as a signature mismatch', async () => {
    stack = await startToolStack({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_CREDENTIALS.ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value' } });
    const res = await call(stack.client, 'create_custom_image', createArgs('wrong-secret'));
    expect(textOf(res)).toMatch(/^SignatureDoesNotMatch: /);
    expect(textOf(res)).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(res.structuredContent!.Error.Stage).toBe('api');
    expect(JSON.stringify(res)).not.toContain('wrong-secret-value');
  });

  it('explains an unknown AccessKey ID', async () => {
    stack = await startToolStack({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'nobody', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x' } });
    const res = await call(stack.client, 'create_custom_image', createArgs('unknown-key'));
    expect(textOf(res)).toMatch(/^InvalidAccessKeyId\.NotFound: /);
  });
});
