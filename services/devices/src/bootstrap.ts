import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ProblemDetailsFilter } from '@switchboard/errors';
import { Metrics, NestPinoLogger, requestLogging, type Logger } from '@switchboard/observability';
import { AppModule } from './app.module';
import type { DevicesConfig } from './config';

/**
 * The devices application, configured as it runs (main.ts) and as the tests boot it: raw
 * bodies kept for webhook signatures, one JSON body limit, RFC 9457 problems for HTTP errors
 * (malformed JSON and oversized bodies included), a log line per request.
 */
export async function createDevicesApp(
  config: DevicesConfig,
  logger: Logger,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new NestPinoLogger(logger),
    rawBody: true,
    bodyParser: false,
  });
  // Behind the chart's ingress: the phone's address comes from X-Forwarded-For.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  app.use(requestLogging({ logger, metrics: app.get(Metrics) }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}
