import { appRoleOf, runMigrations } from '@switchboard/tenancy';
import { migrations } from './migrations';

/** The application role's name, from DATABASE_URL or `url` (for tests; migrations use appRoleOf). */
export const appRole = (url?: string): string => appRoleOf(url);

/** Runs pending migrations as the owner role (migrate.ts and the tests). */
export const migrate = (ownerUrl: string, appUrl: string): Promise<string[]> =>
  runMigrations({ ownerUrl, appUrl, migrations });
