import { tracing } from './tracing';

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { describeConfig } from '@switchboard/config';
import { ProblemDetailsFilter } from '@switchboard/errors';
import { createLogger, Metrics, NestPinoLogger, requestLogging } from '@switchboard/observability';
import { AppModule } from './app.module';
import { loadMessagingConfig, messagingConfigShape } from './config';

async function main(): Promise<void> {
  const config = loadMessagingConfig();
  const logger = createLogger({ service: 'messaging', level: config.LOG_LEVEL });
  logger.info({ config: describeConfig(messagingConfigShape, config) }, 'configuration');
  const app = await NestFactory.create(AppModule.forRoot(config, { logger }), { bufferLogs: true });
  app.useLogger(new NestPinoLogger(logger));
  app.use(requestLogging({ logger, metrics: app.get(Metrics) }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  logger.info({ port: config.PORT }, 'messaging service listening');
  let stopping = false;
  const flush = () => {
    if (stopping) return;
    stopping = true;
    // Nest closes the app on the signal (enableShutdownHooks); flush spans after it.
    setTimeout(() => void tracing.shutdown(), 0).unref();
  };
  process.once('SIGTERM', flush);
  process.once('SIGINT', flush);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
