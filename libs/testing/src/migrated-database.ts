import { Client } from 'pg';
import { checkTenantIsolation, type GlobalTables } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from './test-database';

/** A service's test database with its migrations applied (migrations integration specs). */
export interface MigratedTestDatabase extends TestDatabase {
  /** Connected as the application role: row-level security applies. */
  readonly app: Client;
  readonly appRole: string;
  /**
   * checkTenantIsolation as the owner: every table is a tenant table (org_id, RLS enabled,
   * forced, with policies) unless `globalTables` names it with its reason. [] means isolated.
   */
  isolationProblems(globalTables: GlobalTables): Promise<string[]>;
}

/**
 * A fresh database for the service, migrated by the service's own `migrate(ownerUrl, appUrl)`
 * (DATABASE_URL set to the application role first: migrations grant to its user).
 * `drop()` closes the connection and drops the database.
 */
export async function createMigratedTestDatabase(
  service: string,
  migrate: (ownerUrl: string, appUrl: string) => Promise<unknown>,
): Promise<MigratedTestDatabase> {
  const db = await createTestDatabase(service);
  process.env.DATABASE_URL = db.appUrl;
  await migrate(db.ownerUrl, db.appUrl);
  const app = new Client({ connectionString: db.appUrl });
  await app.connect();
  const appRole = new URL(db.appUrl).username;
  return {
    name: db.name,
    ownerUrl: db.ownerUrl,
    appUrl: db.appUrl,
    app,
    appRole,
    async isolationProblems(globalTables) {
      const owner = new Client({ connectionString: db.ownerUrl });
      await owner.connect();
      try {
        return await checkTenantIsolation(owner, appRole, globalTables);
      } finally {
        await owner.end();
      }
    },
    async drop() {
      await app.end();
      await db.drop();
    },
  };
}
