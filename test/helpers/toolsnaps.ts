import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { expect } from 'vitest';

export const UPDATE_COMMAND = 'UPDATE_TOOLSNAPS=1 npx vitest run test/unit/registry.test.ts';

/**
 * Checks what a tool publishes against its committed toolsnap, compared as JSON (key order and
 * spacing do not matter; a difference shows as a diff of the fields). Only `update` writes the
 * file: a missing toolsnap fails like a changed one, on every machine.
 */
export function checkToolsnap(file: string, published: unknown, update: boolean): void {
  const current = JSON.parse(JSON.stringify(published)) as unknown;
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: run ${UPDATE_COMMAND}, read the new file and commit it`);
  const committed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  expect(current, `${basename(file)} is not what the tool publishes (- committed, + published now); after an intended change run ${UPDATE_COMMAND} and commit the diff`).toEqual(committed);
}
