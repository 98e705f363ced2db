import { GraphQLError } from 'graphql';
import type { Principal } from '@switchboard/auth';
import { rateLimitKeys, type RateLimitCheck, type ThrottleDecision } from '@switchboard/rate-limit';

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
