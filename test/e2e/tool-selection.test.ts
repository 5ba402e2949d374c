import { describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/process.js';
import { isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';

/** A start that names an unknown tool is refused by the process. (Which tools a start offers: test/integration/tool-selection.test.ts.) */
const env = () => isolatedEnv({ SWAS_MCP_SIMULATE: 'true', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'warn' });

describe('choosing the tools at start-up', () => {
  it('stops with exit code 2, naming the unknown tool and the known ones', async () => {
    const res = await runProcess(process.execPath, [SERVER_ENTRY, '--tools', 'list_instances,delete_everything'], { env: env() });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('delete_everything');
    expect(res.stderr).toContain('list_instances');
    expect(res.stdout).toBe('');
  });
});
