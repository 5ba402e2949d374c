import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/catalog.js';
import { ACCOUNT_SNAPSHOT_CAP_WORDS, imageQuota, imageQuotaWords } from '../../src/preflight/quotas.js';

describe('quota prose is built from the constants, in one wording', () => {
  it('image quota: 3 per server, at most 15', () => {
    expect(imageQuotaWords(imageQuota(2, 4), 2)).toBe('4 of 6 custom images used (3 per server × 2 servers, at most 15)');
    expect(imageQuota(9, 15)).toEqual({ Limit: 15, Used: 15, Remaining: 0 });
  });
  it('the account snapshot cap and the catalog say the same numbers', () => {
    expect(ACCOUNT_SNAPSHOT_CAP_WORDS).toBe('the account-wide cap is min(3 × servers, 15) over all regions');
    const ctx = { action: 'CreateCustomImage', regionId: 'cn-hangzhou' };
    expect(explain({ code: 'CustomImageQuotaLimit', message: 'm', stage: 'api' }, ctx).why)
      .toContain('The custom image quota is full: at most 3 images per simple application server you own, and never more than 15.');
    expect(explain({ code: 'SnapshotQuota', message: 'm', stage: 'preflight' }, { ...ctx, action: 'CreateSnapshot', instanceId: 'i-1' }).why)
      .toContain('already has the maximum of 3 snapshots');
  });
});
