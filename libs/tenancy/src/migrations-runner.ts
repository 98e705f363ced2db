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
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
