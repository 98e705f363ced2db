import type { DataSource, EntityManager } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { RateLimitRepository } from './rate-limit.repository';
import { rateLimit, strictest, type RateLimit, type ThrottleDecision } from './window';

/** One limit of a request: what it counts against (`key`) and how many it allows. */
export interface RateLimitCheck {
  key: string;
  limit: RateLimit;
}

/** The time source (a service passes its injected Clock). */
export interface RateLimitClock {
  now(): Date;
}

export interface RateLimiterOptions {
  /** The limiter table (default `rate_limit_hits`). */
  table?: string;
  /**
   * The error `enforce` throws past a limit; default: CommonException RATE_LIMITED carrying
   * `retryAfterSeconds` (GraphQL `extensions.retryAfterSeconds`, HTTP `Retry-After`).
   */
  refuse?: (retryAfterSeconds: number, action: string) => Error;
}

/** The default refusal: `RATE_LIMITED`, with when to try again. */
export function rateLimited(retryAfterSeconds: number): CommonException {
  return new CommonException(
    CommonErrorCode.RATE_LIMITED,
    `Too many requests; try again in ${retryAfterSeconds} seconds`,
    { retryAfterSeconds, details: { retryAfterSeconds } },
  );
}

/**
 * Rate limits kept in PostgreSQL, so every replica of a service agrees (sliding windows over
 * the requests let through, `rateLimit` in window.ts). `consume` counts one request against
 * every check or against none: concurrent requests on the same keys are serialized by
 * transaction-scoped advisory locks, so a burst of parallel requests cannot slip past a limit.
 * Refused requests are not recorded (the wait it announces stays true).
 *
 * Not a Nest provider by itself: a service provides it from its DataSource and Clock, e.g.
 *   { provide: RateLimiter, inject: [DataSource, Clock], useFactory: (ds, clock) => new RateLimiter(ds, clock) }
 */
export class RateLimiter {
  private readonly repository: RateLimitRepository;

  constructor(
    dataSource: DataSource,
    private readonly clock: RateLimitClock,
    private readonly options: RateLimiterOptions = {},
  ) {
    this.repository = new RateLimitRepository(dataSource, options.table);
  }

  /**
   * Decides whether one more `action` request fits every check and, if so, records it. Given
   * `tx`, it runs there: the record commits or rolls back with the operation, and the keys stay
   * locked until then. A limit with `max` 0 is off.
   */
  async consume(
    action: string,
    checks: readonly RateLimitCheck[],
    tx?: EntityManager,
  ): Promise<ThrottleDecision> {
    const active = checks.filter((c) => c.limit.max > 0);
    if (!active.length) return { allowed: true };
    if (!tx) return this.repository.inTransaction((own) => this.consume(action, active, own));
    const keys = [...new Set(active.map((c) => c.key))].sort();
    await this.repository.lock(tx, action, keys);
    const now = this.clock.now();
    const longest = Math.max(...active.map((c) => c.limit.windowSeconds));
    const recent = await this.repository.recent(
      tx,
      action,
      keys,
      new Date(now.getTime() - longest * 1000),
    );
    const decision = strictest(
      active.map((c) =>
        rateLimit(
          recent.filter((r) => r.key === c.key).map((r) => r.created_at),
          c.limit,
          now,
        ),
      ),
    );
    if (decision.allowed) await this.repository.record(tx, action, keys, now);
    return decision;
  }

  /** `consume`, throwing the refusal (default RATE_LIMITED with retryAfterSeconds) past a limit. */
  async enforce(
    action: string,
    checks: readonly RateLimitCheck[],
    tx?: EntityManager,
  ): Promise<void> {
    const decision = await this.consume(action, checks, tx);
    if (!decision.allowed) {
      const refuse = this.options.refuse ?? rateLimited;
      throw refuse(decision.retryAfterSeconds, action);
    }
  }

  /** Forgets requests older than `keepSeconds` (run it from a periodic job). */
  async prune(keepSeconds: number): Promise<void> {
    await this.repository.prune(new Date(this.clock.now().getTime() - keepSeconds * 1000));
  }
}
