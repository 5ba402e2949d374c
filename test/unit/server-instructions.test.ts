import { describe, expect, it } from 'vitest';
import { serverInstructions } from '../../src/server-instructions.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { selectTools } from '../../src/tools/registry.js';

describe('server instructions, built from the registry', () => {
  it('name every offered tool and none that is not offered', () => {
    for (const sel of [
      { readOnly: true, allowDestructive: false },
      { readOnly: false, allowDestructive: false },
      { readOnly: false, allowDestructive: true, allowPurchase: true },
    ]) {
      const offered = selectTools(ALL_TOOLS, sel);
      const text = serverInstructions(offered);
      for (const t of ALL_TOOLS) {
        const named = new RegExp(`\\b${t.name}\\b`).test(text);
        expect(named, `${t.name} in ${JSON.stringify(sel)}`).toBe(offered.includes(t));
      }
    }
  });

  it('speak of consent only when something can change', () => {
    expect(serverInstructions(selectTools(ALL_TOOLS, { readOnly: true, allowDestructive: false }))).not.toMatch(/consent/);
    expect(serverInstructions(ALL_TOOLS)).toMatch(/ApprovalId/);
  });
});
