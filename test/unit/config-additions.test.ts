import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl, USAGE } from '../../src/config.js';
import { DEFAULT_RETRY, retryPolicyFor } from '../../src/swas/retry.js';

const TOKEN = 'tok-3f9a7c1e5b2d4f6a8c0e';
const dir = mkdtempSync(join(tmpdir(), 'swas-config-'));
const keyFile = join(dir, 'consent.key');
writeFileSync(keyFile, 'k'.repeat(32));

function refused(argv: string[], env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults of the new settings', () => {
  it('match the plan', () => {
    const c = loadConfig([], { HOME: '/home/u' });
    expect(c).toMatchObject({
      allowDestructive: false, allowInsecureEndpoint: false, retryBaseDelayMs: 400, ecsMetadata: false,
      httpAllowedHosts: [], httpAllowedOrigins: [], httpMaxBodyBytes: 1_048_576, httpMaxConcurrent: 32,
      httpShutdownMs: 10_000, simTimeScale: 20, warnings: [],
      auditLog: '/home/u/.local/state/swas-image-mcp/audit.jsonl',
    });
    expect(c.tools).toBeUndefined();
    expect(c.http).toBeUndefined();
    expect(c.httpToken).toBeUndefined();
    expect(c.consentKeyFile).toBeUndefined();
  });
  it('audit log: XDG_STATE_HOME when absolute, "off", or a path', () => {
    expect(loadConfig([], { XDG_STATE_HOME: '/state', HOME: '/home/u' }).auditLog).toBe('/state/swas-image-mcp/audit.jsonl');
    expect(loadConfig([], { XDG_STATE_HOME: 'relative', HOME: '/home/u' }).auditLog).toBe('/home/u/.local/state/swas-image-mcp/audit.jsonl');
    expect(loadConfig([], { SWAS_MCP_AUDIT_LOG: 'OFF' }).auditLog).toBe('off');
    expect(loadConfig([], { SWAS_MCP_AUDIT_LOG: '/var/log/a.jsonl' }).auditLog).toBe('/var/log/a.jsonl');
  });
});

describe('flags and variables', () => {
  it('--allow-destructive, --tools, --http and their variables', () => {
    const c = loadConfig(['--allow-destructive', '--tools', 'list_instances, create_custom_image,list_instances', '--http', '8080'],
      { SWAS_MCP_CONSENT_KEY_FILE: keyFile });
    expect(c).toMatchObject({ allowDestructive: true, tools: ['list_instances', 'create_custom_image'], http: { host: '127.0.0.1', port: 8080 }, consentKeyFile: keyFile });
    const e = loadConfig([], {
      SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_TOOLS: 'list_images', SWAS_MCP_HTTP: '0.0.0.0:9000', SWAS_MCP_HTTP_TOKEN: TOKEN,
      SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_HTTP_ALLOWED_HOSTS: 'mcp.example.com, ,mcp2.example.com', SWAS_MCP_HTTP_ALLOWED_ORIGINS: 'https://app.example.com',
      SWAS_MCP_HTTP_MAX_BODY_BYTES: '2048', SWAS_MCP_HTTP_MAX_CONCURRENT: '4', SWAS_MCP_HTTP_SHUTDOWN_MS: '500', SWAS_SIM_TIME_SCALE: '6000',
      SWAS_MCP_RETRY_BASE_DELAY_MS: '5', SWAS_MCP_ECS_METADATA: 'true',
    });
    expect(e).toMatchObject({
      allowDestructive: true, tools: ['list_images'], http: { host: '0.0.0.0', port: 9000 }, httpToken: TOKEN,
      httpAllowedHosts: ['mcp.example.com', 'mcp2.example.com'], httpAllowedOrigins: ['https://app.example.com'],
      httpMaxBodyBytes: 2048, httpMaxConcurrent: 4, httpShutdownMs: 500, simTimeScale: 6000, retryBaseDelayMs: 5, ecsMetadata: true,
    });
    expect(loadConfig([], { SWAS_MCP_HTTP: '[::1]:8080', SWAS_MCP_CONSENT_KEY_FILE: keyFile }).http).toEqual({ host: '::1', port: 8080 });
  });
  it('reads the HTTP token from a file at load, trimming its newline', () => {
    const f = join(dir, 'token');
    writeFileSync(f, `${TOKEN}\n`);
    expect(loadConfig([], { SWAS_MCP_HTTP_TOKEN_FILE: f }).httpToken).toBe(TOKEN);
  });
  it('MCPB placeholders stay unset', () => {
    const c = loadConfig([], { SWAS_MCP_TOOLS: '${user_config.tools}', SWAS_MCP_ALLOW_DESTRUCTIVE: '${user_config.allow_destructive}', SWAS_MCP_HTTP: '' });
    expect(c.tools).toBeUndefined();
    expect(c.allowDestructive).toBe(false);
    expect(c.http).toBeUndefined();
  });
  it('USAGE names every new variable and flag', () => {
    for (const v of ['--allow-destructive', '--tools', '--http', 'SWAS_MCP_AUDIT_LOG', 'SWAS_MCP_HTTP_TOKEN_FILE', 'SWAS_MCP_HTTP_ALLOWED_HOSTS',
      'SWAS_MCP_HTTP_ALLOWED_ORIGINS', 'SWAS_MCP_HTTP_MAX_BODY_BYTES', 'SWAS_MCP_HTTP_MAX_CONCURRENT', 'SWAS_MCP_HTTP_SHUTDOWN_MS',
      'SWAS_MCP_CONSENT_KEY_FILE', 'SWAS_MCP_RETRY_BASE_DELAY_MS', 'SWAS_MCP_ALLOW_INSECURE_ENDPOINT', 'SWAS_SIM_TIME_SCALE', 'SWAS_MCP_ECS_METADATA']) {
      expect(USAGE).toContain(v);
    }
  });
});

describe('refusals name the variable and never echo a secret', () => {
  it.each([
    [['--http', 'nope'], {}, /SWAS_MCP_HTTP/],
    [['--http', '70000'], {}, /SWAS_MCP_HTTP/],
    [['--tools', 'list instances'], {}, /--tools/],
    [[], { SWAS_MCP_TOOLS: ',' }, /SWAS_MCP_TOOLS/],
    [[], { SWAS_MCP_ALLOW_DESTRUCTIVE: 'sure' }, /SWAS_MCP_ALLOW_DESTRUCTIVE/],
    [[], { SWAS_MCP_HTTP_MAX_BODY_BYTES: '1.5' }, /SWAS_MCP_HTTP_MAX_BODY_BYTES/],
    [[], { SWAS_MCP_HTTP_MAX_CONCURRENT: '0' }, /SWAS_MCP_HTTP_MAX_CONCURRENT/],
    [[], { SWAS_MCP_HTTP_SHUTDOWN_MS: '-1' }, /SWAS_MCP_HTTP_SHUTDOWN_MS/],
    [[], { SWAS_SIM_TIME_SCALE: '0' }, /SWAS_SIM_TIME_SCALE/],
    [[], { SWAS_MCP_RETRY_BASE_DELAY_MS: 'fast' }, /SWAS_MCP_RETRY_BASE_DELAY_MS/],
    [[], { SWAS_MCP_HTTP_TOKEN_FILE: '/nonexistent/token' }, /SWAS_MCP_HTTP_TOKEN_FILE/],
    [['--http', '8080'], {}, /SWAS_MCP_CONSENT_KEY_FILE/],
  ] as const)('%j %j', (argv, env, message) => {
    expect(refused([...argv], env).message).toMatch(message);
  });
  it('a non-loopback HTTP host without a token is refused', () => {
    const err = refused(['--http', '0.0.0.0:8080'], { SWAS_MCP_CONSENT_KEY_FILE: keyFile });
    expect(err.message).toMatch(/SWAS_MCP_HTTP_TOKEN/);
    expect(loadConfig(['--http', 'localhost:8080'], { SWAS_MCP_CONSENT_KEY_FILE: keyFile }).http).toEqual({ host: 'localhost', port: 8080 });
  });
  it('a weak or doubled token is refused without being echoed', () => {
    const short = 'hunter2-secret';
    const err = refused([], { SWAS_MCP_HTTP_TOKEN: short });
    expect(err.message).toMatch(/SWAS_MCP_HTTP_TOKEN/);
    expect(err.message).not.toContain(short);
    const spaced = `${TOKEN} with spaces`;
    expect(refused([], { SWAS_MCP_HTTP_TOKEN: spaced }).message).not.toContain(TOKEN);
    const f = join(dir, 'weak');
    writeFileSync(f, short);
    const fromFile = refused([], { SWAS_MCP_HTTP_TOKEN_FILE: f });
    expect(fromFile.message).toMatch(/SWAS_MCP_HTTP_TOKEN_FILE/);
    expect(fromFile.message).not.toContain(short);
    expect(refused([], { SWAS_MCP_HTTP_TOKEN: TOKEN, SWAS_MCP_HTTP_TOKEN_FILE: f }).message).not.toContain(TOKEN);
  });
});

describe('the SWAS endpoint (issue 8 items 14 and 18)', () => {
  it('refuses plain http: on a non-loopback host, allows loopback', () => {
    expect(refused([], { SWAS_ENDPOINT: 'http://swas.example.com' }).message).toMatch(/SWAS_MCP_ALLOW_INSECURE_ENDPOINT/);
    expect(refused([], { SWAS_ENDPOINT: 'http://10.0.0.5:8080' }).message).toMatch(/clear text/);
    for (const ok of ['http://127.0.0.1:8080', 'http://localhost:9', 'http://[::1]:8080', 'https://swas.example.com']) {
      expect(loadConfig([], { SWAS_ENDPOINT: ok }).warnings).toEqual([]);
    }
  });
  it('with SWAS_MCP_ALLOW_INSECURE_ENDPOINT=true it is accepted, with a warning to log', () => {
    const c = loadConfig([], { SWAS_ENDPOINT: 'http://swas.example.com', SWAS_MCP_ALLOW_INSECURE_ENDPOINT: 'true' });
    expect(c.endpoint?.href).toBe('http://swas.example.com/');
    expect(c.allowInsecureEndpoint).toBe(true);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/clear text/);
  });
  it('never echoes the user name or password of a refused URL', () => {
    for (const raw of ['https://admin:s3cr3t-pw@swas.example.com', 'http://admin:s3cr3t-pw@swas.example.com/x?y=1',
      'https://admin:s3cr3t-pw@swas.example.com/path', 'ftp://admin:s3cr3t-pw@host', 'https://admin:s3cr3t-pw@[bad']) {
      const err = refused([], { SWAS_ENDPOINT: raw });
      expect(err.message).not.toContain('s3cr3t-pw');
      expect(err.message).not.toContain('admin');
    }
    expect(redactUrl('https://u:p@h.example.com/?q=1#f')).toBe('https://REDACTED@h.example.com/');
  });
});

describe('retry base delay (issue 8 item 22)', () => {
  it('flows from the configuration into the retry policy', () => {
    const c = loadConfig([], { SWAS_MCP_RETRY_BASE_DELAY_MS: '5', SWAS_MCP_REQUEST_TIMEOUT_MS: '2000', SWAS_MCP_RETRY_BUDGET_MS: '3000' });
    expect(retryPolicyFor(c)).toEqual({ ...DEFAULT_RETRY, baseDelayMs: 5, attemptTimeoutMs: 2000, budgetMs: 3000 });
    expect(retryPolicyFor(loadConfig([], {})).baseDelayMs).toBe(DEFAULT_RETRY.baseDelayMs);
  });
});

describe('SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS', () => {
  it('defaults to 24 hours, takes whole hours, and refuses anything else naming the variable', () => {
    expect(loadConfig([], {}).snapshotMaxAgeHours).toBe(24);
    expect(loadConfig([], { SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS: '168' }).snapshotMaxAgeHours).toBe(168);
    expect(() => loadConfig([], { SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig([], { SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS: '0' })).toThrow(/SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS/);
  });
});

describe('SWAS_MCP_CONSENT', () => {
  it('defaults to human; takes confirm and off; refuses anything else naming the three', () => {
    expect(loadConfig([], {}).consentMode).toBe('human');
    expect(loadConfig([], { SWAS_MCP_CONSENT: 'confirm' }).consentMode).toBe('confirm');
    expect(loadConfig([], { SWAS_MCP_CONSENT: 'OFF' }).consentMode).toBe('off');
    expect(() => loadConfig([], { SWAS_MCP_CONSENT: 'yes' })).toThrow(/SWAS_MCP_CONSENT must be one of human, confirm, off/);
  });

  it('bounds the wait for a consent answer (default 3 minutes)', () => {
    expect(loadConfig([], {}).consentAnswerTimeoutMs).toBe(180_000);
    expect(loadConfig([], { SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS: '5000' }).consentAnswerTimeoutMs).toBe(5_000);
    expect(() => loadConfig([], { SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS: '0' })).toThrow(/SWAS_MCP_CONSENT_ANSWER_TIMEOUT_MS/);
  });
});
