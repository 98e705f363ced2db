import { env, loadConfig, secret, z } from '@switchboard/config';
import {
  DEFAULT_TRUST_PROXY,
  graphqlLimitsConfigShape,
  subgraphSecretOf,
} from '@switchboard/service-kit';

/** The gateway's environment, validated at boot. */
export const gatewayConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4000),
  LOG_LEVEL: env.logLevel(),
  /** `GET /metrics` for Prometheus, on a port of its own (default PORT + 5000: 9000). */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** `static`: serve SUPERGRAPH_FILE (production); `compose`: compose from the running subgraphs (development). */
  SUPERGRAPH_MODE: z.enum(['static', 'compose']).default('static'),
  SUPERGRAPH_FILE: z.string().default('gateway/supergraph.graphql'),
  /** Subgraph URLs override the ones composed into the supergraph: `SUBGRAPH_<NAME>_URL`. */
  AUTH_JWKS_URL: env.url(),
  AUTH_ISSUER: z.string().min(1).default('urn:switchboard:accounts'),
  AUTH_AUDIENCE: z.string().min(1).default('switchboard-api'),
  /**
   * The gateway's public origin (`https://api.example.com`): the `jwks_uri` of
   * `/.well-known/openid-configuration`. Unset: the origin of the request (not cached then).
   */
  GATEWAY_PUBLIC_URL: env.url().optional(),
  /** The longest the gateway keeps accounts' JWKS for `/.well-known/jwks.json` (accounts' own max-age, 300, wins when shorter). */
  JWKS_CACHE_SECONDS: env.int(300).pipe(z.number().int().min(0).max(3600)),
  /** How long the last copy of the JWKS is served while accounts cannot be reached. */
  JWKS_STALE_IF_ERROR_SECONDS: env.int(3600).pipe(z.number().int().min(0).max(86_400)),
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
  /** MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, COST_LIMIT, MAX_DIRECTIVES: the subgraphs apply the same. */
  ...graphqlLimitsConfigShape,
  /**
   * Sent to every subgraph as `x-subgraph-secret` (their `/graphql` refuses requests without
   * it). Required outside development and test mode.
   */
  SUBGRAPH_SHARED_SECRET: secret(z.string().min(16).optional()),
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
  /**
   * Express `trust proxy`: the hops (an ingress, a load balancer) whose X-Forwarded-For the
   * gateway believes. The client address it determines is sent to the subgraphs as the last
   * X-Forwarded-For entry. `false` when clients reach the gateway directly.
   */
  TRUST_PROXY: z.string().default(DEFAULT_TRUST_PROXY),
  /**
   * The gateway's own database (the stack's `gateway`, its application role): where its rate
   * limits are counted, so every replica agrees. Unset: no rate limits at the gateway.
   */
  GATEWAY_DATABASE_URL: secret(env.postgresUrl().optional()),
  GATEWAY_DATABASE_POOL_SIZE: env.int(5).pipe(z.number().int().min(1).max(100)),
  /** The sliding window of the limits below. */
  RATE_LIMIT_WINDOW_SECONDS: env.int(60).pipe(z.number().int().min(1).max(3600)),
  /** Requests per window of an anonymous caller (or one whose credentials were refused), per address; 0 = off. */
  RATE_LIMIT_PER_IP: env.int(300).pipe(z.number().int().min(0)),
  /** Requests per window of a signed-in user (or device); 0 = off. */
  RATE_LIMIT_PER_USER: env.int(600).pipe(z.number().int().min(0)),
  /** Requests per window of one API token; 0 = off. */
  RATE_LIMIT_PER_API_TOKEN: env.int(600).pipe(z.number().int().min(0)),
  /**
   * How long a replica may use tokens it took from a bucket ahead of its requests (a lease:
   * one statement for many requests, never more than the bucket holds, at most a tenth of a
   * burst, sized by the replica's recent demand for that bucket); 0 = one statement a request.
   */
  RATE_LIMIT_LEASE_MS: env.int(1000).pipe(z.number().int().min(0).max(60_000)),
  /**
   * The built web console (`vite build` output: index.html + assets/) served on the gateway's
   * origin. The gateway's start defaults it to dist/console next to its own build; unset in
   * createGateway: no console.
   */
  CONSOLE_DIR: z.string().min(1).optional(),
  /**
   * Operations planned as one fetch from one subgraph asking what the client asked are sent to
   * it without Apollo Gateway's executor after their first time (README, Forwarded operations).
   */
  FORWARD_OPERATIONS: env.bool(true),
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
  const subgraphSecret = subgraphSecretOf(config);
  return { ...config, introspection, subgraphUrls, subgraphSecret };
}
