import type { INestApplication } from '@nestjs/common';
import { ProblemDetailsFilter } from '@switchboard/errors';
import { Metrics, NestPinoLogger, requestLogging, type Logger } from '@switchboard/observability';
import type { AccountsConfig } from './config';

/** Trust-proxy setting from TRUST_PROXY: `true`/`false`, a hop count, or addresses/subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * What main.ts does to the Nest application, shared with the integration tests so they run
 * the real wiring: pino logs, one line per request with a request id, RFC 9457 errors for
 * HTTP routes, the client IP behind the gateway, graceful shutdown.
 */
export function configureApp(app: INestApplication, config: AccountsConfig, logger: Logger): void {
  app.useLogger(new NestPinoLogger(logger));
  const http = app.getHttpAdapter().getInstance() as {
    set(name: string, value: unknown): void;
    disable(name: string): void;
  };
  http.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  http.disable('x-powered-by');
  app.use(requestLogging({ logger, metrics: app.get(Metrics) }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
}
