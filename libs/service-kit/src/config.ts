import { env, secret, z } from '@switchboard/config';
import { graphqlLimitsConfigShape } from './graphql-limits';
import { DEFAULT_PREPARED_STATEMENTS } from './prepared-statements';
import type { SubgraphAccessConfig } from './subgraph-access';

/**
 * Express `trust proxy` of every service unless TRUST_PROXY says otherwise: the hops that may
 * set X-Forwarded-For, so the client IP (login throttling, rate limits, a phone's address) is
 * the caller's and not the gateway's or the ingress's. Loopback covers a gateway on the same
 * host, the private ranges a gateway or ingress inside the cluster.
 */
export const DEFAULT_TRUST_PROXY = 'loopback, linklocal, uniquelocal';

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). Longer than the
 * gateway's pooled-socket idle time (30 s), so the gateway always closes an idle socket first
 * and never sends a request on one the subgraph is closing (an ECONNRESET). Load balancers in
 * front of a service expect the same (e.g. 60 s idle on cloud load balancers).
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** METRICS_PORT unset: the metrics port is PORT + this. */
export const METRICS_PORT_OFFSET = 5000;

/** The database variables of every service; spread into the service's config shape. */
export const databaseConfigShape = {
  /** Application role: what the service runs as (row-level security applies). */
  DATABASE_URL: secret(env.postgresUrl()),
  /** Owner role: migrations only. */
  DATABASE_OWNER_URL: secret(env.postgresUrl().optional()),
  /** Connections of the application pool (the outbox relay and the readiness check add one each). */
  DATABASE_POOL_SIZE: env.int(20).pipe(z.number().int().min(2).max(200)),
  /**
   * Recurring statements run prepared, at most this many texts (0: none, e.g. behind a
   * transaction-mode pooler that cannot keep a connection's prepared statements).
   */
  DATABASE_PREPARED_STATEMENTS: env
    .int(DEFAULT_PREPARED_STATEMENTS)
    .pipe(z.number().int().min(0).max(1_000)),
};

/** The HTTP variables of every service; spread into the service's config shape. */
export const httpConfigShape = {
  /**
   * Express `trust proxy`: `true`/`false`, a hop count, or addresses/subnets/names
   * (`loopback`, `linklocal`, `uniquelocal`, `10.0.0.0/8`), comma-separated.
   */
  TRUST_PROXY: z.string().default(DEFAULT_TRUST_PROXY),
  /** Idle keep-alive connections close after this (see DEFAULT_KEEP_ALIVE_TIMEOUT_MS). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env
    .int(DEFAULT_KEEP_ALIVE_TIMEOUT_MS)
    .pipe(z.number().int().min(1_000).max(600_000)),
  /**
   * The secret the gateway sends in `x-subgraph-secret`; `/graphql` refuses requests without it.
   * Required outside development and test mode (which use a known development secret).
   */
  SUBGRAPH_SHARED_SECRET: secret(z.string().min(16).optional()),
  /**
   * The port of `GET /metrics` (for Prometheus only; the public port serves no metrics).
   * Default PORT + 5000 (accounts 9101, devices 9102, messaging 9103, the gateway 9000).
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, COST_LIMIT, MAX_DIRECTIVES: the gateway's limits. */
  ...graphqlLimitsConfigShape,
};

/** What the kit's bootstrap reads from a service's config. */
export interface ServiceHttpConfig extends SubgraphAccessConfig {
  NODE_ENV?: string;
  METRICS_PORT?: number;
  LOG_LEVEL?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  TRUST_PROXY: string;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
}

/** Express's `trust proxy` value from TRUST_PROXY: `true`/`false`, a hop count, or addresses. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * The HTTP server's timeouts for a keep-alive timeout: `headersTimeout` a second above it, as
 * Node requires it to be larger (otherwise a slow client's headers on a reused socket race
 * the keep-alive close).
 */
export function serverTimeouts(keepAliveTimeoutMs: number): {
  keepAliveTimeout: number;
  headersTimeout: number;
} {
  return { keepAliveTimeout: keepAliveTimeoutMs, headersTimeout: keepAliveTimeoutMs + 1_000 };
}
