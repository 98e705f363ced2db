import { tracing } from './tracing';
import { JwtVerifier } from '@switchboard/auth';
import { createLogger, Metrics } from '@switchboard/observability';
import { loadGatewayConfig } from './config';
import { EdgeAuthenticator, HttpTokenExchange } from './edge-auth';
import { createGateway } from './gateway-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
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
  const gateway = await createGateway({
    config,
    authenticator,
    logger,
    metrics: new Metrics({ service: 'gateway' }),
  });
  const port = await gateway.listen(config.PORT);
  logger.info({ port }, 'gateway listening');
  const stop = async () => {
    await gateway.stop();
    await tracing.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
