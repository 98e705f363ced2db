import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { stackSetting } from './stack-env';

export interface TestDatabase {
  readonly name: string;
  /** Connection string of the owner role (migrations, DDL). */
  readonly ownerUrl: string;
  /** Connection string of the application role (what a service runs as; RLS applies). */
  readonly appUrl: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A fresh, empty database for one test file, with the same roles and grants as the service's
 * own database: owned by `<service>_owner`, usable by `<service>_app`. `template` copies a
 * database (e.g. one already migrated) instead of starting empty.
 */
export async function createTestDatabase(
  service: string,
  options: { template?: string } = {},
): Promise<TestDatabase> {
  const key = service.replace(/-/g, '_').toUpperCase();
  const ownerUrl = stackSetting(`${key}_DATABASE_OWNER_URL`);
  const appUrl = stackSetting(`${key}_DATABASE_URL`);
  const name = `${service.replace(/-/g, '_')}_test_${randomBytes(5).toString('hex')}`;
  const owner = new URL(ownerUrl).username;
  const app = new URL(appUrl).username;
  const admin = new Client({ connectionString: stackSetting('PG_ADMIN_URL') });
  await admin.connect();
  try {
    const template = options.template ? ` TEMPLATE "${options.template}"` : '';
    await admin.query(`CREATE DATABASE "${name}" OWNER "${owner}"${template}`);
    await admin.query(`REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO "${app}"`);
  } finally {
    await admin.end();
  }
  const db = new Client({ connectionString: withDatabase(stackSetting('PG_ADMIN_URL'), name) });
  await db.connect();
  try {
    await db.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await db.query(`ALTER SCHEMA public OWNER TO "${owner}"`);
    await db.query(`GRANT USAGE ON SCHEMA public TO "${app}"`);
  } finally {
    await db.end();
  }
  return {
    name,
    ownerUrl: withDatabase(ownerUrl, name),
    appUrl: withDatabase(appUrl, name),
    async drop() {
      const client = new Client({ connectionString: stackSetting('PG_ADMIN_URL') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
