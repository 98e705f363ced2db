// A gateway for integration tests: the supergraph composed from the given subgraphs into a file,
// the configuration loaded from the environment (accounts' issuer and audience unless the test's
// env says otherwise), edge authentication over that JWKS, listening on a free port.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { JwtVerifier } from '@switchboard/auth';
import { composeSupergraph } from '../../src/compose';
import { loadGatewayConfig, type GatewayConfig } from '../../src/config';
import { EdgeAuthenticator, type TokenExchange } from '../../src/edge-auth';
import type { RateLimitStore } from '../../src/edge-rate-limit';
import { createGateway } from '../../src/gateway-server';

export interface TestGatewayOptions {
  /** The supergraph's subgraphs (not needed when env sets SUPERGRAPH_FILE); default: one no request reaches. */
  subgraphs?: { name: string; url: string; typeDefs: string }[];
  /** The gateway's environment, over the defaults here. */
  env?: Record<string, string>;
  /** Accounts' API-token exchange; default: every API token refused. */
  exchange?: TokenExchange;
  /** The edge authenticator's clock (its API-token cache). */
  clock?: () => number;
  /** The gateway's clock (its JWKS cache). */
  now?: () => number;
  logger?: Logger;
  rateLimitStore?: RateLimitStore;
}

export interface TestGateway {
  /** http://127.0.0.1:<port>, no path. */
  origin: string;
  config: GatewayConfig;
  stop(): Promise<void>;
}

const FIXTURE = {
  name: 'fixture',
  url: 'http://127.0.0.1:1/graphql',
  typeDefs: 'type Query { hello: String }',
};

export async function startTestGateway(o: TestGatewayOptions = {}): Promise<TestGateway> {
  const env = { ...o.env };
  if (!env.SUPERGRAPH_FILE) {
    env.SUPERGRAPH_FILE = join(mkdtempSync(join(tmpdir(), 'supergraph-')), 'supergraph.graphql');
    writeFileSync(env.SUPERGRAPH_FILE, composeSupergraph(o.subgraphs ?? [FIXTURE]));
  }
  const config = loadGatewayConfig({
    AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks',
    ACCOUNTS_TOKEN_EXCHANGE_URL: 'http://127.0.0.1:1/unused',
    INTERNAL_API_SECRET: 'x'.repeat(32),
    ...env,
  });
  const verifier = new JwtVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
  const gateway = await createGateway({
    config,
    authenticator: new EdgeAuthenticator(
      verifier,
      o.exchange ?? { exchange: async () => null },
      config.API_TOKEN_CACHE_SECONDS,
      o.clock,
    ),
    logger: o.logger ?? pino({ level: 'silent' }),
    now: o.now,
    rateLimitStore: o.rateLimitStore,
  });
  const port = await gateway.listen(0, '127.0.0.1');
  return { origin: `http://127.0.0.1:${port}`, config, stop: () => gateway.stop() };
}
