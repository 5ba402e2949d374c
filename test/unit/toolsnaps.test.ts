// The toolsnap check itself: compared as JSON, a readable diff, and a missing file is a failure
// whatever the environment (CI set or not); only an explicit update writes.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkToolsnap } from '../helpers/toolsnaps.js';

const dir = mkdtempSync(join(tmpdir(), 'toolsnaps-'));
const tool = { name: 'foo_bar', description: 'Lists bars.', inputSchema: { type: 'object', properties: { RegionId: { type: 'string' } } } };
const savedCi = process.env.CI;
afterEach(() => { if (savedCi === undefined) delete process.env.CI; else process.env.CI = savedCi; });

describe('checkToolsnap', () => {
  it.each([['unset', undefined], ['set', 'true']])('fails on a missing toolsnap with CI %s, naming the update command, and writes nothing', (_label, ci) => {
    if (ci === undefined) delete process.env.CI; else process.env.CI = ci;
    const file = join(dir, `missing-${String(ci)}.json`);
    expect(() => checkToolsnap(file, tool, false)).toThrow(/is missing: run UPDATE_TOOLSNAPS=1 npx vitest run test\/unit\/registry\.test\.ts/);
    expect(existsSync(file)).toBe(false);
  });

  it('compares as JSON: key order and spacing do not matter', () => {
    const file = join(dir, 'reordered.json');
    writeFileSync(file, JSON.stringify({ inputSchema: { properties: { RegionId: { type: 'string' } }, type: 'object' }, description: 'Lists bars.', name: 'foo_bar' }));
    expect(() => checkToolsnap(file, tool, false)).not.toThrow();
  });

  it('a changed field fails with the two objects for the runner to diff field by field', () => {
    const file = join(dir, 'changed.json');
    writeFileSync(file, `${JSON.stringify({ ...tool, description: 'Lists all bars.' }, null, 2)}\n`);
    let failure: unknown;
    try { checkToolsnap(file, tool, false); } catch (e) { failure = e; }
    expect(failure).toBeInstanceOf(Error);
    const err = failure as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
    expect(err.message).toContain('changed.json is not what the tool publishes');
    // The runner prints the diff of these two objects: one line per field, the changed one marked.
    expect(err.showDiff).toBe(true);
    expect(err.actual).toEqual(tool);
    expect(err.expected).toEqual({ ...tool, description: 'Lists all bars.' });
  });

  it('an update writes the published JSON, which then matches', () => {
    const file = join(dir, 'written.json');
    checkToolsnap(file, tool, true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(tool);
    expect(() => checkToolsnap(file, tool, false)).not.toThrow();
  });
});
