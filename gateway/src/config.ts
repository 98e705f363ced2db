import { env, loadConfig, secret, z } from '@switchboard/config';

/** The gateway's environment, validated at boot. */
export const gatewayConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4000),
  LOG_LEVEL: env.logLevel(),
  /** `static`: serve SUPERGRAPH_FILE (production); `compose`: compose from the running subgraphs (development). */
  SUPERGRAPH_MODE: z.enum(['static', 'compose']).default('static'),
  SUPERGRAPH_FILE: z.string().default('gateway/supergraph.graphql'),
  /** Subgraph URLs override the ones composed into the supergraph: `SUBGRAPH_<NAME>_URL`. */
  AUTH_JWKS_URL: env.url(),
  AUTH_ISSUER: z.string().min(1).default('urn:switchboard:accounts'),
  AUTH_AUDIENCE: z.string().min(1).default('switchboard-api'),
  /** accounts' endpoint that turns an API token into a short-lived access token. */
  ACCOUNTS_TOKEN_EXCHANGE_URL: env.url(),
  INTERNAL_API_SECRET: secret(z.string().min(16)),
  /** How long an exchanged API token is reused: also how long a revoked token keeps working. */
  API_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(60),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  BODY_LIMIT: z.string().default('1mb'),
  MAX_DEPTH: env.int(12),
  MAX_ALIASES: env.int(20),
  MAX_TOKENS: env.int(3000),
  COST_LIMIT: env.int(10000),
  MAX_DIRECTIVES: env.int(50),
  /**
   * How long the gateway keeps an idle pooled connection to a subgraph. Must stay below the
   * subgraphs' keep-alive timeout (their HTTP_KEEP_ALIVE_TIMEOUT_MS, 65 s by default) so the
   * gateway, not the subgraph, closes an idle connection: otherwise a request can leave on a
   * connection the subgraph is closing and fail with ECONNRESET.
   */
  SUBGRAPH_IDLE_TIMEOUT_MS: env.int(30_000).pipe(z.number().int().min(100).max(600_000)),
  /**
   * How long an idle client connection to the gateway stays open. Longer than the idle timeout
   * of a load balancer in front (commonly 60 s), for the same reason as above.
   */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env.int(65_000).pipe(z.number().int().min(1_000).max(600_000)),
  /** Introspection and field suggestions; off in production unless set. */
  INTROSPECTION: z.enum(['true', 'false']).optional(),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(gatewayConfigShape, source);
  const introspection = config.INTROSPECTION
    ? config.INTROSPECTION === 'true'
    : config.NODE_ENV !== 'production';
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    const match = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(key);
    if (match && value) subgraphUrls[match[1].toLowerCase().replace(/_/g, '-')] = value;
  }
  return { ...config, introspection, subgraphUrls };
}
