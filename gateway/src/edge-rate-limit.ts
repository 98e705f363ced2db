import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Principal } from '@switchboard/auth';
import {
  rateLimitKeys,
  TokenBucket,
  type RateLimitCheck,
  type ThrottleDecision,
} from '@switchboard/rate-limit';
import { inGlobalTransaction } from '@switchboard/tenancy';

/** The gateway's limits, requests per window; 0 turns one off. */
export interface EdgeRateLimits {
  RATE_LIMIT_WINDOW_SECONDS: number;
  /** Anonymous requests, and requests whose credentials were refused, per client address. */
  RATE_LIMIT_PER_IP: number;
  /** Requests of a signed-in user (or a device), whichever address they come from. */
  RATE_LIMIT_PER_USER: number;
  /** Requests made with one API token. */
  RATE_LIMIT_PER_API_TOKEN: number;
}

/** What the gateway needs of @switchboard/rate-limit's RateLimiter. */
export interface RateLimitStore {
  consume(action: string, checks: readonly RateLimitCheck[]): Promise<ThrottleDecision>;
}

/** The action the gateway's requests count under in the limiter table. */
export const EDGE_ACTION = 'graphql';

/** The edge limits' table on GATEWAY_DATABASE_URL (gateway migration 1700000000001). */
export const EDGE_BUCKETS_TABLE = 'edge_rate_buckets';

class Refused extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limited');
  }
}

/**
 * The edge limits as token buckets in PostgreSQL (@switchboard/rate-limit TokenBucket): a limit
 * of `max` requests per window is a bucket of `max` tokens refilled at max/window a second, so
 * a burst of `max` goes through and then the window's rate. One upsert per request, in no
 * transaction (TokenBucket.takeNow: a refusal changes nothing), where the sliding-window log
 * read every request of the window (profiled: its rows' dates were the gateway's top cost under
 * load). Every replica shares the buckets.
 */
export class EdgeTokenBuckets implements RateLimitStore {
  private readonly bucket = new TokenBucket(EDGE_BUCKETS_TABLE);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: { now(): Date },
  ) {}

  async consume(action: string, checks: readonly RateLimitCheck[]): Promise<ThrottleDecision> {
    const active = checks
      .filter((c) => c.limit.max > 0)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (!active.length) return { allowed: true };
    if (active.length === 1) {
      // The edge's case (one bucket a request): one statement, no transaction.
      const [{ key, limit }] = active;
      return this.bucket.takeNow(
        this.dataSource,
        `${action}:${key}`,
        { rate: limit.max / limit.windowSeconds, burst: limit.max },
        this.clock.now(),
      );
    }
    try {
      return await inGlobalTransaction(this.dataSource, async (tx) => {
        const now = this.clock.now();
        for (const check of active) {
          const { max, windowSeconds } = check.limit;
          const taken = await this.bucket.take(
            tx,
            `${action}:${check.key}`,
            { rate: max / windowSeconds, burst: max },
            now,
          );
          if (!taken.allowed) throw new Refused(taken.retryAfterSeconds);
        }
        return { allowed: true } as const;
      });
    } catch (error) {
      if (error instanceof Refused)
        return { allowed: false, retryAfterSeconds: error.retryAfterSeconds };
      throw error;
    }
  }
}

/**
 * The bucket a request counts against: its API token, its user (or device), or — anonymous or
 * refused — its client address. A signed-in caller is not counted per address, so many users
 * behind one NAT do not share a limit; each token and each user has a bucket of its own.
 */
export function edgeRateLimitCheck(
  limits: EdgeRateLimits,
  principal: Principal | undefined,
  clientIp: string | undefined,
): RateLimitCheck | undefined {
  const windowSeconds = limits.RATE_LIMIT_WINDOW_SECONDS;
  switch (principal?.kind) {
    case 'api_token':
      return {
        key: `token:${principal.tokenId}`,
        limit: { max: limits.RATE_LIMIT_PER_API_TOKEN, windowSeconds },
      };
    case 'user':
      return {
        key: rateLimitKeys.user(principal.userId),
        limit: { max: limits.RATE_LIMIT_PER_USER, windowSeconds },
      };
    case 'device':
      return {
        key: `device:${principal.deviceId}`,
        limit: { max: limits.RATE_LIMIT_PER_USER, windowSeconds },
      };
    default:
      return clientIp
        ? {
            key: rateLimitKeys.ip(clientIp),
            limit: { max: limits.RATE_LIMIT_PER_IP, windowSeconds },
          }
        : undefined;
  }
}

/**
 * 429 with `Retry-After`, in GraphQL's error shape: `extensions.code` `RATE_LIMITED` and
 * `extensions.retryAfterSeconds` (Apollo sends `extensions.http` as the status and headers).
 */
export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many requests; try again in ${retryAfterSeconds} seconds`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * Rate limits at the edge, per API token, user and client address, kept in PostgreSQL
 * (@switchboard/rate-limit, GATEWAY_DATABASE_URL) so every gateway replica counts the same
 * requests. Without a store there are no gateway limits (a warning at start says so).
 */
export class EdgeRateLimiter {
  constructor(
    private readonly store: RateLimitStore | undefined,
    private readonly limits: EdgeRateLimits,
  ) {}

  get enabled(): boolean {
    return this.store !== undefined;
  }

  /** Counts one request; throws rateLimitedError past the limit of its bucket. */
  async admit(principal: Principal | undefined, clientIp: string | undefined): Promise<void> {
    const check = edgeRateLimitCheck(this.limits, principal, clientIp);
    if (!this.store || !check) return;
    const decision = await this.store.consume(EDGE_ACTION, [check]);
    if (!decision.allowed) throw rateLimitedError(decision.retryAfterSeconds);
  }
}
