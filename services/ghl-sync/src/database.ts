import { runMigrations } from '@switchboard/tenancy';
import { migrations } from './migrations';

/** Runs pending migrations as the owner role (migrate.ts and the tests). */
export const migrate = (ownerUrl: string, appUrl: string): Promise<string[]> =>
  runMigrations({ ownerUrl, appUrl, migrations });
