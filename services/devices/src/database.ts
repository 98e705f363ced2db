import { DataSource } from 'typeorm';
import { migrations } from './migrations';

/** The application role's name, taken from DATABASE_URL (migrations grant it table rights). */
export function appRole(url = process.env.DATABASE_URL): string {
  if (!url) throw new Error('DATABASE_URL is required to know the application role');
  return decodeURIComponent(new URL(url).username);
}

/** Runs pending migrations as the owner role. */
export async function migrate(ownerUrl: string, appUrl: string): Promise<string[]> {
  process.env.DATABASE_URL ??= appUrl;
  const dataSource = new DataSource({
    type: 'postgres',
    url: ownerUrl,
    migrations,
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
