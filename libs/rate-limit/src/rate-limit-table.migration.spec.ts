import type { QueryRunner } from 'typeorm';
import { createRateLimitTable, rateLimitTableMigration } from './rate-limit-table.migration';

describe('rateLimitTableMigration', () => {
  const recorder = () => {
    const statements: string[] = [];
    const runner = { query: async (sql: string) => void statements.push(sql) } as QueryRunner;
    return { statements, runner };
  };

  it('is named RateLimits<timestamp>, as accounts migrated its table', () => {
    const Migration = rateLimitTableMigration(1700000000002);
    expect(new Migration().name).toBe('RateLimits1700000000002');
    expect(Migration.name).toBe('RateLimits1700000000002');
  });

  it('creates the table (no emails in keys) for the role of DATABASE_URL, and drops it', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://devices_app:pw@127.0.0.1:5432/devices';
    try {
      const { statements, runner } = recorder();
      const migration = new (rateLimitTableMigration(1800000000000, 'device_rate_limits'))();
      await migration.up(runner);
      const sql = statements.join('\n');
      expect(sql).toContain('CREATE TABLE device_rate_limits');
      expect(sql).toContain("strpos(key, '@') = 0");
      expect(sql).toContain('ON device_rate_limits (action, key, created_at)');
      expect(sql).toContain('TO devices_app');
      const down = recorder();
      await migration.down!(down.runner);
      expect(down.statements).toEqual(['DROP TABLE device_rate_limits']);
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });

  it('refuses a table name that is not a plain identifier', async () => {
    expect(() => rateLimitTableMigration(1, 'hits; DROP TABLE users')).toThrow(
      /Invalid rate-limit table name/,
    );
    await expect(createRateLimitTable(recorder().runner, 'app', 'Hits')).rejects.toThrow(
      /Invalid rate-limit table name/,
    );
  });
});
