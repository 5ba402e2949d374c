import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('SWAS_MCP_DATABASE_URL', () => {
  it('unset: no shared record (the file ledger stays); a postgres URL is taken as given', () => {
    expect(loadConfig([], { HOME: '/home/u' }).databaseUrl).toBeUndefined();
    for (const url of ['postgresql://swas@db.example.com:5432/swas', 'postgres://u:p@127.0.0.1/x?sslmode=require']) {
      expect(loadConfig([], { HOME: '/home/u', SWAS_MCP_DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('refuses what is not a PostgreSQL URL, naming the setting, and never echoes the password', () => {
    for (const bad of ['mysql://u:s3cr3t-pw@db/x', 'db.example.com', 'postgresql://u:s3cr3t-pw@/x']) {
      let err: unknown;
      try { loadConfig([], { HOME: '/home/u', SWAS_MCP_DATABASE_URL: bad }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^SWAS_MCP_DATABASE_URL must be a PostgreSQL URL/);
      expect((err as Error).message).not.toContain('s3cr3t-pw');
    }
  });
});
