import 'reflect-metadata';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ProblemDetailsFilter } from '@switchboard/errors';
import {
  createLogger,
  Metrics,
  NestPinoLogger,
  requestLogging,
  type Logger,
} from '@switchboard/observability';
import type { Clock } from './clock';
import { serverTimeouts, trustProxySetting, type ServiceHttpConfig } from './config';
import { serviceRootModule } from './service-runtime.module';

/** HTTP needs that differ between services. */
export interface ServiceHttpOptions {
  /** Keep `req.rawBody` (webhook signatures are computed over the raw body). */
  rawBody?: boolean;
  /** The largest JSON body (`256kb`); only JSON is parsed then. Default: express's (100kb). */
  jsonBodyLimit?: string;
}

export interface ServiceAppOptions extends ServiceHttpOptions {
  /** `service` of every log line and metric. */
  service: string;
  /** TRUST_PROXY, HTTP_KEEP_ALIVE_TIMEOUT_MS and LOG_LEVEL of the service's config. */
  config: ServiceHttpConfig;
  /** Default: a pino logger at LOG_LEVEL (tests pass one that keeps the lines). */
  logger?: Logger;
  /** Default: SystemClock (tests pass a ManualClock). */
  clock?: Clock;
  /** The last step of a shutdown (main.ts: `tracing.shutdown()`). */
  onShutdown?: () => Promise<void>;
  /**
   * Shut down on SIGTERM/SIGINT (default true). The single-process mode turns it off and closes
   * every app itself, in order: Nest's hooks re-raise the signal once their own app closed.
   */
  shutdownHooks?: boolean;
  /**
   * The logger of Nest's own lines (`new Logger(Class.name)` in providers). Nest keeps one for
   * the whole process, so the single-process mode gives one that names no service; default
   * `logger`.
   */
  nestLogger?: Logger;
}

/**
 * The Nest application of a service, configured as it runs (bootstrapService) and as its
 * integration tests boot it, so they run the real wiring:
 *
 * - pino logs (Nest's own included), one line per request with an `x-request-id`, request
 *   durations in `/metrics` (when the module imports MetricsModule);
 * - RFC 9457 problem details for HTTP errors (ProblemDetailsFilter);
 * - `trust proxy` from TRUST_PROXY, no `x-powered-by`, an optional raw body and JSON limit;
 * - `/graphql` for the gateway only (the `x-subgraph-secret` header, SUBGRAPH_SHARED_SECRET)
 *   and under the gateway's GraphQL limits (SubgraphAccessModule);
 * - keep-alive and headers timeouts from HTTP_KEEP_ALIVE_TIMEOUT_MS (see config.ts);
 * - `Clock` for every provider, and graceful shutdown on SIGTERM/SIGINT: `/health/*` answer
 *   503 (ReadinessModule), consumers stop and the relay flushes, the server and the database
 *   close, then `onShutdown`.
 *
 * Not yet listening: call `app.listen(port)`.
 */
export async function createServiceApp(
  module: Type | DynamicModule,
  options: ServiceAppOptions,
): Promise<NestExpressApplication> {
  const { config } = options;
  const logger =
    options.logger ?? createLogger({ service: options.service, level: config.LOG_LEVEL });
  const app = await NestFactory.create<NestExpressApplication>(
    serviceRootModule(module, {
      clock: options.clock,
      onShutdown: options.onShutdown,
      subgraphAccess: config,
    }),
    {
      bufferLogs: true,
      rawBody: options.rawBody ?? false,
      bodyParser: options.jsonBodyLimit === undefined,
    },
  );
  app.useLogger(new NestPinoLogger(options.nestLogger ?? logger));
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.disable('x-powered-by');
  if (options.jsonBodyLimit !== undefined) {
    app.useBodyParser('json', { limit: options.jsonBodyLimit });
  }
  app.use(requestLogging({ logger, metrics: metricsOf(app) }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  Object.assign(app.getHttpServer(), serverTimeouts(config.HTTP_KEEP_ALIVE_TIMEOUT_MS));
  return app;
}

function metricsOf(app: NestExpressApplication): Metrics | undefined {
  try {
    return app.get(Metrics, { strict: false });
  } catch {
    return undefined;
  }
}
