// Applies the service's migrations with the owner role: `node dist/services/devices/src/migrate.js`.
import { createLogger } from '@switchboard/observability';
import { loadDevicesConfig } from './config';
import { migrate } from './database';

async function main(): Promise<void> {
  const config = loadDevicesConfig();
  if (!config.DATABASE_OWNER_URL) throw new Error('DATABASE_OWNER_URL is required to migrate');
  const applied = await migrate(config.DATABASE_OWNER_URL, config.DATABASE_URL);
  createLogger({ service: 'devices', level: config.LOG_LEVEL }).info(
    { applied },
    'migrations applied',
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
