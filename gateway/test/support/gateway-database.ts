import { DataSource } from 'typeorm';
import { runMigrations } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { gatewayMigrations } from '../../src/migrations';

/**
 * A fresh gateway database with its migrations applied (the edge rate limits' buckets), and a
 * DataSource on it as the application role. `close()` closes it and drops the database.
 */
export async function gatewayDatabase(): Promise<{
  db: TestDatabase;
  dataSource: DataSource;
  close(): Promise<void>;
}> {
  const db = await createTestDatabase('gateway');
  await runMigrations({ ownerUrl: db.ownerUrl, appUrl: db.appUrl, migrations: gatewayMigrations });
  const dataSource = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 8 } });
  await dataSource.initialize();
  return {
    db,
    dataSource,
    async close() {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
