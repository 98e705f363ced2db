// Applies the service's migrations with the owner role: `node dist/services/accounts/src/migrate.js`.
import { createLogger } from '@switchboard/observability';
import { loadAccountsConfig } from './config';
import { migrate } from './database';

async function main(): Promise<void> {
  const config = loadAccountsConfig();
  const logger = createLogger({ service: 'accounts', level: config.LOG_LEVEL });
  if (!config.DATABASE_OWNER_URL) throw new Error('DATABASE_OWNER_URL is required to migrate');
  const applied = await migrate(config.DATABASE_OWNER_URL, config.DATABASE_URL);
  logger.info({ applied }, 'migrations applied');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
