import type { QueryRunner } from 'typeorm';
import { eventTablesMigration } from './event-tables.migration';

describe('eventTablesMigration', () => {
  const recorder = () => {
    const statements: string[] = [];
    const runner = { query: async (sql: string) => void statements.push(sql) } as QueryRunner;
    return { statements, runner };
  };

  it('keeps the name every service migrated its event tables under', () => {
    const Migration = eventTablesMigration();
    expect(new Migration().name).toBe('EventTables1700000000000');
    expect(Migration.name).toBe('EventTables1700000000000');
    expect(new (eventTablesMigration(1800000000000))().name).toBe('EventTables1800000000000');
  });

  it('creates the outbox and processed_events for the role of DATABASE_URL', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://billing_app:pw@127.0.0.1:5432/billing';
    try {
      const { statements, runner } = recorder();
      await new (eventTablesMigration())().up(runner);
      const sql = statements.join('\n');
      expect(sql).toContain('CREATE TABLE outbox');
      expect(sql).toContain('CREATE TABLE processed_events');
      expect(sql).toContain('TO billing_app');
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });

  it('drops them again', async () => {
    const { statements, runner } = recorder();
    await new (eventTablesMigration())().down!(runner);
    expect(statements).toEqual([
      'DROP TABLE processed_events; DROP TABLE outbox; DROP FUNCTION outbox_notify()',
    ]);
  });
});
