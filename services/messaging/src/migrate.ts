// Applies the service's migrations with the owner role: `node dist/services/messaging/src/migrate.js`.
import { loadMessagingConfig } from './config';
import { migrate } from './database';

async function main(): Promise<void> {
  const config = loadMessagingConfig();
  if (!config.DATABASE_OWNER_URL) throw new Error('DATABASE_OWNER_URL is required to migrate');
  const applied = await migrate(config.DATABASE_OWNER_URL, config.DATABASE_URL);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', service: 'messaging', msg: 'migrations applied', applied })}\n`,
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
