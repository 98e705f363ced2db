import { tracing } from './tracing';
import { resolve } from 'node:path';
import { JwtVerifier } from '@switchboard/auth';
import { isDevelopmentMode } from '@switchboard/config';
import { createLogger, Metrics, type Logger } from '@switchboard/observability';
import {
  serveMetricsFor,
  singleProcessHost,
  SystemClock,
  type RunningComponent,
} from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { EdgeAuthenticator, HttpTokenExchange } from './edge-auth';
import { EdgeTokenBuckets } from './edge-rate-limit';
import { createGateway } from './gateway-server';

/**
 * The rate limits' store: token buckets on the gateway's own database (EdgeTokenBuckets). None
 * without GATEWAY_DATABASE_URL (no limits, and a warning).
 */
async function rateLimitStore(config: GatewayConfig, logger: Logger) {
  if (!config.GATEWAY_DATABASE_URL) {
    logger.warn('GATEWAY_DATABASE_URL is not set: the gateway applies no rate limits');
    return undefined;
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.GATEWAY_DATABASE_URL,
    extra: { max: config.GATEWAY_DATABASE_POOL_SIZE },
  });
  await dataSource.initialize();
  const limiter = new EdgeTokenBuckets(dataSource, new SystemClock(), config.RATE_LIMIT_LEASE_MS);
  return {
    limiter,
    async close() {
      await dataSource.destroy();
    },
  };
}

/**
 * Starts the gateway reading `env` and answers how to stop it (the single-process runner starts
 * it this way; alone, main below adds the signal handling).
 */
async function startGateway(
  env: Record<string, string | undefined>,
): Promise<RunningComponent & { logger: Logger }> {
  const config = loadGatewayConfig(env);
  // The console's build sits next to the gateway's own (dist/console beside dist/gateway).
  config.CONSOLE_DIR ??= resolve(__dirname, '../../console');
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  if (!config.SUBGRAPH_SHARED_SECRET && isDevelopmentMode(config))
    logger.warn('SUBGRAPH_SHARED_SECRET is not set: sending the development secret to subgraphs');
  const verifier = new JwtVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
  const authenticator = new EdgeAuthenticator(
    verifier,
    new HttpTokenExchange(config.ACCOUNTS_TOKEN_EXCHANGE_URL, config.INTERNAL_API_SECRET),
    config.API_TOKEN_CACHE_SECONDS,
  );
  const metrics = new Metrics({ service: 'gateway' });
  const limits = await rateLimitStore(config, logger);
  const gateway = await createGateway({
    config,
    authenticator,
    logger,
    metrics,
    rateLimitStore: limits?.limiter,
  });
  const port = await gateway.listen(config.PORT);
  // Metrics on a port of their own, for the scraper only (never on the public one).
  const scrapes = await serveMetricsFor(metrics, config, logger);
  logger.info({ port, metricsPort: scrapes.port }, 'gateway listening');
  return {
    port,
    logger,
    async close() {
      await gateway.stop();
      await scrapes.close();
      await limits?.close();
    },
  };
}

async function main(): Promise<void> {
  const gateway = await startGateway(process.env);
  const stop = async () => {
    await gateway.close();
    await tracing.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

const host = singleProcessHost();
if (host) {
  host.register({ name: 'gateway', start: (env) => startGateway(env) });
} else {
  main().catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });
}
