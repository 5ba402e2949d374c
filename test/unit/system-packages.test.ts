// The rule for tests that need nginx or Chromium: run when present, skip on a developer's machine
// without it, and never skip silently under CI, where npm test installs it.
import { describe, expect, it } from 'vitest';
import { haveSystemPackage } from '../helpers/system.js';
import { onCi } from '../../scripts/on-ci.mjs';

describe('haveSystemPackage', () => {
  it('runs the tests when the package is there, CI or not', () => {
    expect(haveSystemPackage('nginx', true, {})).toBe(true);
    expect(haveSystemPackage('nginx', true, { CI: 'true' })).toBe(true);
  });

  it('skips them on a developer machine without it, where CI may be set to say "not CI"', () => {
    expect(haveSystemPackage('nginx', false, {})).toBe(false);
    for (const CI of ['', 'false', 'FALSE', '0']) expect(haveSystemPackage('nginx', false, { CI })).toBe(false);
  });

  it('fails under CI when the package is missing, naming it and the install command', () => {
    expect(() => haveSystemPackage('nginx', false, { CI: 'true' })).toThrow('nginx is missing under CI: npm test installs it first (npm run setup:system).');
  });
});

describe('onCi (npm test installs system packages only under CI)', () => {
  it('is true for the values runners set, false for unset, empty, "false" and "0"', () => {
    for (const CI of ['true', '1', 'yes', 'TRUE']) expect(onCi({ CI })).toBe(true);
    for (const CI of [undefined, '', ' ', 'false', 'False', '0']) expect(onCi({ CI })).toBe(false);
  });
});
