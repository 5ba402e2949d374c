// The rule for tests that need nginx or Chromium: run when present, skip on a developer's machine
// without it, and never skip silently under CI, where npm test installs it.
import { describe, expect, it } from 'vitest';
import { haveSystemPackage } from '../helpers/system.js';

describe('haveSystemPackage', () => {
  it('runs the tests when the package is there, CI or not', () => {
    expect(haveSystemPackage('nginx', true, {})).toBe(true);
    expect(haveSystemPackage('nginx', true, { CI: 'true' })).toBe(true);
  });

  it('skips them on a developer machine without it', () => {
    expect(haveSystemPackage('nginx', false, {})).toBe(false);
  });

  it('fails under CI when the package is missing, naming it and the install command', () => {
    expect(() => haveSystemPackage('nginx', false, { CI: 'true' })).toThrow('nginx is missing under CI: npm test installs it first (npm run setup:system).');
  });
});
