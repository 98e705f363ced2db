import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, grantToApp, type SqlRunner } from '@switchboard/tenancy';

/** The limiter table's name unless a service picks another. */
export const DEFAULT_RATE_LIMIT_TABLE = 'rate_limit_hits';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses a table name that is not a plain lower-case SQL identifier (it is spliced into SQL). */
export function checkTableName(table: string): string {
  if (!IDENTIFIER.test(table)) throw new Error(`Invalid rate-limit table name: ${table}`);
  return table;
}

/**
 * Creates a limiter table (one row per request a limit let through, per action and key) and
 * grants it to the application role. Cross-tenant on purpose, without `org_id` and without
 * row-level security: limits per IP or per email must count across organizations, and the rows
 * are only ever counted, never shown. Per-organization limits name the organization in the key.
 * The CHECK refuses any key with an `@` (emails go in hashed, see rateLimitKeys.hashed).
 */
export async function createRateLimitTable(
  runner: SqlRunner,
  appRole: string,
  table = DEFAULT_RATE_LIMIT_TABLE,
): Promise<void> {
  checkTableName(table);
  await runner.query(`
    CREATE TABLE ${table} (
      id bigserial PRIMARY KEY,
      action text NOT NULL CHECK (action <> ''),
      key text NOT NULL CHECK (key <> '' AND strpos(key, '@') = 0),
      created_at timestamptz NOT NULL
    )`);
  await runner.query(`CREATE INDEX ${table}_key ON ${table} (action, key, created_at)`);
  await grantToApp(runner, table, appRole);
}

/**
 * A service's migration creating its limiter table, named `RateLimits<timestamp>`:
 *
 *   export const migrations = [eventTablesMigration(), Schema1700000000001, rateLimitTableMigration(1700000000002)];
 */
export function rateLimitTableMigration(
  timestamp: number,
  table = DEFAULT_RATE_LIMIT_TABLE,
): new () => MigrationInterface {
  checkTableName(table);
  const name = `RateLimits${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await createRateLimitTable(runner, appRoleOf(), table);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE ${table}`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
