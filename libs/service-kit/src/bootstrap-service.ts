import type { DynamicModule, Type } from '@nestjs/common';
import type { MigrationInterface } from 'typeorm';
import { describeConfig, isDevelopmentMode, type z } from '@switchboard/config';
import { createLogger, type Logger, type Tracing } from '@switchboard/observability';
import { runMigrations } from '@switchboard/tenancy';
import type { ServiceHttpConfig } from './config';
import { serveAppMetrics } from './metrics-server';
import { createServiceApp, type ServiceHttpOptions } from './create-service-app';
import {
  singleProcessHost,
  type ComponentStartOptions,
  type RunningComponent,
} from './single-process';

export interface ServiceMainConfig extends ServiceHttpConfig {
  PORT: number;
}

export interface ServiceMain<C extends ServiceMainConfig> {
  service: string;
  /** From the service's `tracing.ts`, imported first by main.ts. */
  tracing: Tracing;
  /** The config's schema: what is logged at start (secrets masked) and nothing else. */
  configShape: z.ZodRawShape;
  /** The service's config loader, given the environment to read (process.env when run alone). */
  loadConfig: (env?: Record<string, string | undefined>) => C;
  /** The application module (the logger is the one every line goes to). */
  module: (config: C, logger: Logger) => Type | DynamicModule;
  /** Raw body, JSON limit: see ServiceHttpOptions. */
  http?: (config: C) => ServiceHttpOptions;
  /** Warnings to log at start, e.g. development defaults in use. */
  warnings?: (config: C) => string[];
  /** Fields added to the "listening" line. */
  listening?: (config: C) => Record<string, unknown>;
}

/**
 * A service's main: loads and checks the config (a bad one stops the process, naming the
 * variables), logs it with secrets masked, creates the app (createServiceApp) and listens on
 * PORT, with `GET /metrics` on METRICS_PORT (serveAppMetrics); on SIGTERM/SIGINT it shuts down gracefully and flushes the traces last.
 */
export function bootstrapService<C extends ServiceMainConfig>(main: ServiceMain<C>): Promise<void> {
  // Loaded by the single-process runner: it starts the service with its own environment.
  const host = singleProcessHost();
  if (host) {
    host.register({
      name: main.service,
      start: (env, options) => startService(main, env, options),
    });
    return Promise.resolve();
  }
  return startService(main, process.env).then(
    () => undefined,
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * Starts a service as bootstrapService does, reading `env`, and answers how to stop it. The
 * single-process mode starts every service this way (no signal hooks of its own, one logger
 * for Nest's own lines).
 */
export async function startService<C extends ServiceMainConfig>(
  main: ServiceMain<C>,
  env: Record<string, string | undefined>,
  options: ComponentStartOptions = {},
): Promise<RunningComponent> {
  const config = main.loadConfig(env);
  const logger = createLogger({ service: main.service, level: config.LOG_LEVEL });
  for (const warning of main.warnings?.(config) ?? []) logger.warn(warning);
  if (!config.SUBGRAPH_SHARED_SECRET && isDevelopmentMode(config))
    logger.warn('SUBGRAPH_SHARED_SECRET is not set: /graphql expects the development secret');
  logger.info({ config: describeServiceConfig(main.configShape, config) }, 'configuration');
  const app = await createServiceApp(main.module(config, logger), {
    service: main.service,
    config,
    logger,
    // Alone, the traces flush last; in one process with others, the runner flushes them.
    onShutdown: options.nestLogger ? undefined : () => main.tracing.shutdown(),
    shutdownHooks: options.shutdownHooks,
    nestLogger: options.nestLogger,
    ...main.http?.(config),
  });
  await app.listen(config.PORT, '0.0.0.0');
  // Metrics on a port of their own, for the scraper only; closed with the app.
  const metrics = await serveAppMetrics(app, { config, logger });
  logger.info(
    { port: config.PORT, metricsPort: metrics.port, ...main.listening?.(config) },
    `${main.service} service listening`,
  );
  return { port: config.PORT, close: () => app.close() };
}

/**
 * The config as logged: the schema's variables only (values a service derives, such as a
 * decoded key, are never printed), secrets masked.
 */
export function describeServiceConfig(
  shape: z.ZodRawShape,
  config: object,
): Record<string, unknown> {
  const declared = Object.entries(config).filter(([key]) => key in shape);
  return describeConfig(shape, Object.fromEntries(declared));
}

export interface MigrationsMain {
  service: string;
  loadConfig: () => {
    DATABASE_URL: string;
    DATABASE_OWNER_URL?: string;
    LOG_LEVEL?: ServiceHttpConfig['LOG_LEVEL'];
  };
  migrations: (new () => MigrationInterface)[];
}

/** A service's `migrate.ts`: applies its pending migrations as the owner role. */
export function migrateService(main: MigrationsMain): Promise<void> {
  return (async () => {
    const config = main.loadConfig();
    if (!config.DATABASE_OWNER_URL) throw new Error('DATABASE_OWNER_URL is required to migrate');
    const applied = await runMigrations({
      ownerUrl: config.DATABASE_OWNER_URL,
      appUrl: config.DATABASE_URL,
      migrations: main.migrations,
    });
    createLogger({ service: main.service, level: config.LOG_LEVEL }).info(
      { applied },
      'migrations applied',
    );
  })().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
