import { tracing } from './tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { describeConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/observability';
import { AppModule } from './app.module';
import { configureApp } from './bootstrap';
import { accountsConfigShape, loadAccountsConfig } from './config';

async function main(): Promise<void> {
  const config = loadAccountsConfig();
  const logger = createLogger({ service: 'accounts', level: config.LOG_LEVEL });
  if (
    config.NODE_ENV !== 'production' &&
    (!process.env.SIGNING_KEY_ENCRYPTION_KEY || !process.env.INTERNAL_API_SECRET)
  ) {
    logger.warn(
      'SIGNING_KEY_ENCRYPTION_KEY or INTERNAL_API_SECRET not set: using development defaults',
    );
  }
  const app = await NestFactory.create(
    AppModule.forRoot(config, { logger, onShutdown: () => tracing.shutdown() }),
    { bufferLogs: true },
  );
  configureApp(app, config, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info(
    { port: config.PORT, config: describeConfig(accountsConfigShape, config) },
    'accounts service listening',
  );
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
