// Two migration runs at once on one database (a retried hook job next to the first, two
// replicas' jobs): the second waits for the first and applies nothing twice.
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { runMigrations } from '@switchboard/tenancy';

class SlowWidgets1700000000000 implements MigrationInterface {
  name = 'SlowWidgets1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widgets (id int PRIMARY KEY)');
    // Long enough for a concurrent run to reach the same migration.
    await q.query('SELECT pg_sleep(0.5)');
    await q.query('INSERT INTO widgets VALUES (1)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

describe('runMigrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('applies each migration once when two runs race', async () => {
    const run = () =>
      runMigrations({
        ownerUrl: db.ownerUrl,
        appUrl: db.appUrl,
        migrations: [SlowWidgets1700000000000],
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.length).sort()).toEqual([0, 1]);
    const client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM schema_migrations',
      );
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await client.end();
    }
  });
});
