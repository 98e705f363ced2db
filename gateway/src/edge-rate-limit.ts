import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Principal } from '@switchboard/auth';
import {
  rateLimitKeys,
  TokenBucket,
  type RateLimitCheck,
  type ThrottleDecision,
  type TokenBucketLimit,
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
 * A replica's lease of one bucket: tokens it took ahead of its requests, used without a round
 * trip until they run out or the lease ends.
 */
interface Lease {
  /** Leased and not used yet. */
  tokens: number;
  /** How many the last lease took, and how many requests it served. */
  size: number;
  used: number;
  /** When the last lease was taken and ends (milliseconds), and what it left in the bucket. */
  takenAt: number;
  endsAt: number;
  left: number;
  /** The take in flight, which the key's other requests wait for. */
  renewing?: Promise<void>;
}

/** Leases kept before the ended ones are swept. */
const MAX_LEASES = 10_000;

/**
 * The edge limits as token buckets in PostgreSQL (@switchboard/rate-limit TokenBucket): a limit
 * of `max` requests per window is a bucket of `max` tokens refilled at max/window a second, so
 * a burst of `max` goes through and then the window's rate. A take is one upsert in no
 * transaction (TokenBucket.takeNow: a refusal changes nothing), where the sliding-window log
 * read every request of the window (profiled: its rows' dates were the gateway's top cost under
 * load). Every replica shares the buckets.
 *
 * With `leaseMs`, a replica takes several tokens of a bucket at once and spends them on that
 * bucket's next requests for up to `leaseMs` without a round trip (measured: the upsert was the
 * largest single part of the gateway's latency on a read). Every request admitted still had its
 * token taken from the shared bucket, so replicas together never admit more than the limit; a
 * lease only takes what it is sized for: one token for a bucket's first request, then what
 * the last lease served (twice as many when it ran out before it ended), never more than the
 * bucket had left, at most a tenth of the burst. Limits below 20 a window are counted one
 * request at a time, exactly. Tokens a lease did not use are not given back: a replica's demand
 * dropping from one lease to the next is what it can waste.
 */
export class EdgeTokenBuckets implements RateLimitStore {
  private readonly bucket = new TokenBucket(EDGE_BUCKETS_TABLE);
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: { now(): Date },
    private readonly leaseMs = 0,
  ) {}

  async consume(action: string, checks: readonly RateLimitCheck[]): Promise<ThrottleDecision> {
    const active = checks
      .filter((c) => c.limit.max > 0)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (!active.length) return { allowed: true };
    if (active.length === 1) {
      // The edge's case (one bucket a request): one statement, no transaction, or none at all.
      const [{ key, limit }] = active;
      const bucketLimit = { rate: limit.max / limit.windowSeconds, burst: limit.max };
      const leaseCap = Math.floor(limit.max / 10);
      if (this.leaseMs > 0 && leaseCap > 1)
        return this.leased(`${action}:${key}`, bucketLimit, leaseCap);
      return this.bucket.takeNow(
        this.dataSource,
        `${action}:${key}`,
        bucketLimit,
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

  /** A token of the replica's lease of `key`, or a new lease (one take in flight per key). */
  private async leased(
    key: string,
    limit: TokenBucketLimit,
    cap: number,
  ): Promise<ThrottleDecision> {
    for (;;) {
      const lease = this.leases.get(key);
      const now = this.clock.now().getTime();
      if (lease && lease.tokens > 0 && now < lease.endsAt) {
        lease.tokens -= 1;
        lease.used += 1;
        return { allowed: true };
      }
      if (!lease?.renewing) return this.renew(key, limit, cap, lease, now);
      await lease.renewing;
    }
  }

  private async renew(
    key: string,
    limit: TokenBucketLimit,
    cap: number,
    previous: Lease | undefined,
    now: number,
  ): Promise<ThrottleDecision> {
    const size = leaseSize(previous, now, limit, cap, this.leaseMs);
    const lease: Lease = previous ?? {
      tokens: 0,
      size: 0,
      used: 0,
      takenAt: 0,
      endsAt: 0,
      left: 0,
    };
    if (!previous) {
      if (this.leases.size >= MAX_LEASES) this.sweep(now);
      this.leases.set(key, lease);
    }
    let done = () => {};
    lease.renewing = new Promise<void>((resolve) => (done = resolve));
    try {
      const at = new Date(now);
      let taken = await this.bucket.takeNow(this.dataSource, key, limit, at, size);
      let granted = size;
      if (!taken.allowed && size > 1) {
        // Another replica took tokens meanwhile: this request's own token, if there is one.
        taken = await this.bucket.takeNow(this.dataSource, key, limit, at, 1);
        granted = 1;
      }
      if (!taken.allowed) {
        // Spent: the next lease is sized by what refills from now on.
        Object.assign(lease, { tokens: 0, size: 1, used: 0, takenAt: now, left: 0 });
        return taken;
      }
      Object.assign(lease, {
        tokens: granted - 1,
        size: granted,
        used: 1,
        takenAt: now,
        endsAt: now + this.leaseMs,
        left: taken.left,
      });
      return { allowed: true };
    } finally {
      lease.renewing = undefined;
      done();
    }
  }

  private sweep(now: number): void {
    for (const [key, lease] of this.leases)
      if (!lease.renewing && lease.endsAt <= now) this.leases.delete(key);
  }
}

/**
 * How many tokens a replica's next lease of a bucket takes: one for a bucket it has not seen
 * (or not for a lease's length), what the last lease served, twice its size when it ran out
 * before its end; never more than the bucket had left by then, at most `cap`.
 */
export function leaseSize(
  previous: Pick<Lease, 'size' | 'used' | 'takenAt' | 'endsAt' | 'left'> | undefined,
  now: number,
  limit: TokenBucketLimit,
  cap: number,
  leaseMs: number,
): number {
  if (!previous || now >= previous.endsAt + leaseMs) return 1;
  const demand = now < previous.endsAt ? previous.size * 2 : previous.used;
  const available = previous.left + ((now - previous.takenAt) / 1000) * limit.rate;
  return Math.max(1, Math.min(cap, demand, Math.floor(available)));
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
