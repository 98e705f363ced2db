import { tracing } from './tracing';
import 'reflect-metadata';
import { createLogger } from '@switchboard/observability';
import { createDevicesApp } from './bootstrap';
import { loadDevicesConfig } from './config';

async function main(): Promise<void> {
  const config = loadDevicesConfig();
  const logger = createLogger({ service: 'devices', level: config.LOG_LEVEL });
  if (config.usesDevelopmentSecretKey) {
    logger.warn('DEVICES_SECRET_KEY is not set: signing keys are sealed with the development key');
  }
  const app = await createDevicesApp(config, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info(
    { port: config.PORT, deviceApiUrl: config.deviceApiUrl },
    'devices service listening',
  );
  const stop = async () => {
    await app.close();
    await tracing.shutdown();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
