import { appRoleOf, runMigrations } from '@switchboard/tenancy';
import { migrations } from './migrations';

/** The application role's name, taken from DATABASE_URL (migrations grant it table rights). */
export const appRole = (url?: string): string => appRoleOf(url);

/** Runs pending migrations as the owner role. */
export const migrate = (ownerUrl: string, appUrl: string): Promise<string[]> =>
  runMigrations({ ownerUrl, appUrl, migrations });
