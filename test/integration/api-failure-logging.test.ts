import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_ACCESS_KEY_SECRET } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';

let s: InProcess;
beforeAll(async () => { s = await startInProcess(); });
afterAll(async () => { await s?.close(); });

const WARN = 40;
const ERROR = 50;

function failedLines(action: string) {
  return s.logs.filter((l) => l.action === action && typeof l.msg === 'string' && l.msg.startsWith('SWAS call failed'));
}

describe('failed API calls are logged at warn, unexpected ones at error, without secrets', () => {
  it('a refused call (403) is a warning with its code and HTTP status', async () => {
    s.sim.faults.add({ action: 'ListSnapshots', status: 403, code: 'Forbidden.RAM', message: 'User not authorized.' });
    const res = await s.call('list_snapshots', { RegionId: 'cn-hangzhou' });
    expect(res.isError).toBe(true);
    const lines = failedLines('ListSnapshots');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: WARN, code: 'Forbidden.RAM', httpStatus: 403 });
  });

  it('a server error that outlasts the retries is an error', async () => {
    s.sim.faults.add({ action: 'ListImages', status: 500, code: 'InternalError', times: 10 });
    const res = await s.call('list_images', { RegionId: 'cn-hangzhou' });
    expect(res.isError).toBe(true);
    expect(failedLines('ListImages')).toEqual([expect.objectContaining({ level: ERROR, code: 'InternalError' })]);
  });

  it('a list filtered by IDs that answers "not found" is no failure', async () => {
    const before = s.logs.length;
    await s.call('wait_for_resources', { RegionId: 'cn-hangzhou', SnapshotIds: ['s-missing1'], TimeoutSeconds: 1 });
    expect(s.logs.slice(before).filter((l) => l.level >= WARN)).toEqual([]);
  });

  it('no log line holds the secret', () => {
    expect(JSON.stringify(s.logs)).not.toContain(SIM_ACCESS_KEY_SECRET);
  });
});
