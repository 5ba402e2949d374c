import { describe, expect, it } from 'vitest';
import { publishedJsonSchema } from '../../src/tools/publish.js';
import { ALL_TOOLS } from '../../src/tools/index.js';

describe('annotations follow what a tool can do', () => {
  it('every tool that asks for consent (ConfirmToken) can overwrite, expose or remove something: destructiveHint true', () => {
    // A purchase (kind "purchase") spends money rather than overwriting: its annotation is its own rule.
    const consentTools = ALL_TOOLS.filter((t) => t.kind !== 'purchase' && 'ConfirmToken' in ((publishedJsonSchema(t.inputSchema(), 'input').properties ?? {}) as object));
    expect(consentTools.map((t) => t.name)).toContain('tag_custom_images');
    for (const t of consentTools) expect(t.annotations.destructiveHint, t.name).toBe(true);
  });
});
