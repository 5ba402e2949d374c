import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('the default ledger path', () => {
  it('--simulate (or SWAS_MCP_SIMULATE) writes its own ledger, never the real one', () => {
    const env = { HOME: '/home/u' };
    expect(loadConfig([], env).auditLog).toBe('/home/u/.local/state/swas-image-mcp/audit.jsonl');
    expect(loadConfig(['--simulate'], env).auditLog).toBe('/home/u/.local/state/swas-image-mcp/audit-simulated.jsonl');
    expect(loadConfig([], { ...env, SWAS_MCP_SIMULATE: 'true', XDG_STATE_HOME: '/state' }).auditLog).toBe('/state/swas-image-mcp/audit-simulated.jsonl');
    // An explicit path is the operator's choice, simulated or not (lines say simulated: true).
    expect(loadConfig(['--simulate'], { ...env, SWAS_MCP_AUDIT_LOG: '/tmp/a.jsonl' }).auditLog).toBe('/tmp/a.jsonl');
  });
});
