// Vitest global setup: every test's temporary files go under one folder of this run, removed when
// the run ends. Tests make hundreds of temp folders (homes, ledgers, profiles, nginx and PostgreSQL
// data); removed one by one in each test's cleanup, a failed or interrupted test still left them
// in the machine's temp folder, thousands a day. What must outlive the run (PostgreSQL's initdb'd
// template, made once per machine) uses SWAS_TEST_SHARED_TMP, the temp folder the run started with.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const shared = tmpdir();
  const dir = mkdtempSync(join(shared, 'swas-test-run-'));
  // Traversable by the postgres and nginx users the tests run their servers as, as the temp folder is.
  chmodSync(dir, 0o711);
  const before = { TMPDIR: process.env.TMPDIR, SWAS_TEST_SHARED_TMP: process.env.SWAS_TEST_SHARED_TMP };
  process.env.SWAS_TEST_SHARED_TMP = shared;
  process.env.TMPDIR = dir;
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
