// The run's temp folder: made traversable, named in TMPDIR for the workers, removed with all it holds at the end.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import setup from '../helpers/run-temp.js';

it('puts temp files under one folder of the run, keeps the machine\'s for what outlives it, and removes the run\'s at the end', () => {
  const outer = { TMPDIR: process.env.TMPDIR, SWAS_TEST_SHARED_TMP: process.env.SWAS_TEST_SHARED_TMP };
  const machine = tmpdir();
  const teardown = setup();
  const dir = tmpdir();
  try {
    expect(dir).not.toBe(machine);
    expect(dir.startsWith(join(machine, 'swas-test-run-'))).toBe(true);
    expect(process.env.SWAS_TEST_SHARED_TMP).toBe(machine);
    expect(statSync(dir).mode & 0o777).toBe(0o711);
    mkdirSync(join(dir, 'left-behind'));
    writeFileSync(join(dir, 'left-behind', 'ledger.jsonl'), '{}\n');
  } finally {
    teardown();
  }
  expect(existsSync(dir)).toBe(false);
  expect({ TMPDIR: process.env.TMPDIR, SWAS_TEST_SHARED_TMP: process.env.SWAS_TEST_SHARED_TMP }).toEqual(outer);
});
