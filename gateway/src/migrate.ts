// The gateway's migrations, as the owner role of its own database (GATEWAY_DATABASE_OWNER_URL);
// nothing to do without GATEWAY_DATABASE_URL (no rate limits at the gateway then).
import { createLogger } from '@switchboard/observability';
import { runMigrations } from '@switchboard/tenancy';
import { gatewayMigrations } from './migrations';

async function main(): Promise<void> {
  const logger = createLogger({ service: 'gateway', level: 'info' });
  const appUrl = process.env.GATEWAY_DATABASE_URL;
  const ownerUrl = process.env.GATEWAY_DATABASE_OWNER_URL;
  if (!appUrl) return logger.info('no GATEWAY_DATABASE_URL: nothing to migrate');
  if (!ownerUrl) throw new Error('GATEWAY_DATABASE_OWNER_URL is required to migrate');
  // The migrations grant the application role of GATEWAY_DATABASE_URL.
  process.env.DATABASE_URL = appUrl;
  const applied = await runMigrations({ ownerUrl, appUrl, migrations: gatewayMigrations });
  logger.info({ applied }, 'migrations applied');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
