import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';

/**
 * The application role's name, read from the service's DATABASE_URL: migrations grant it table
 * rights and name it in row-level security set-ups.
 */
export function appRoleOf(url = process.env.DATABASE_URL): string {
  if (!url) throw new Error('DATABASE_URL is required to know the application role');
  return decodeURIComponent(new URL(url).username);
}

/**
 * Runs a service's pending migrations as the owner role, each in its own transaction, and
 * returns the names applied. `appUrl` tells the migrations which role the service runs as.
 * One run at a time per database: a concurrent run (a retried deploy job next to the first,
 * two upgrades at once) waits on a session advisory lock, then finds nothing left to apply.
 */
export async function runMigrations(options: {
  ownerUrl: string;
  appUrl: string;
  migrations: (new () => MigrationInterface)[];
}): Promise<string[]> {
  process.env.DATABASE_URL ??= options.appUrl;
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.ownerUrl,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
  });
  // A connection of its own holds the lock for the whole run; closing it releases the lock.
  const lock = new Client({ connectionString: options.ownerUrl });
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('switchboard:migrations'))`);
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations();
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}
