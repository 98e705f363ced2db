import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import { normalizeEmail } from '../domain/email-address';
import { rateLimit, strictest, type RateLimit, type ThrottleDecision } from '../domain/throttle';

/** The operations with rate limits (`rate_limit_hits.action`). */
export type RateLimitedAction =
  'signUp' | 'requestPasswordReset' | 'resendVerificationEmail' | 'inviteMember';

/** One limit of a request: what it counts against (`key`) and how many it allows. */
export interface RateLimitCheck {
  key: string;
  limit: RateLimit;
}

/** The per-organization limit's window. */
export const DAY_SECONDS = 86_400;

const emailHash = (email: string) =>
  createHash('sha256')
    .update(`rate-limit:${normalizeEmail(email)}`)
    .digest('hex');

/** Keys of `rate_limit_hits`: never an email address, only its SHA-256. */
export const rateLimitKey = {
  ip: (ip: string) => `ip:${ip}`,
  email: (email: string) => `email:${emailHash(email)}`,
  org: (orgId: string) => `org:${orgId}`,
  orgEmail: (orgId: string, email: string) => `org:${orgId}:email:${emailHash(email)}`,
};

/**
 * Rate limits of the operations that send mail or create accounts (domain/throttle.ts
 * `rateLimit`: sliding windows over the requests let through). `consume` counts one request
 * against every check or against none: concurrent requests on the same keys are serialized by
 * transaction-scoped advisory locks, so a burst of parallel requests cannot slip past a limit.
 * Refused requests are not recorded (the wait it announces stays true).
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  /** A limit of the configured window (RATE_LIMIT_WINDOW_SECONDS). */
  perWindow(max: number): RateLimit {
    return { max, windowSeconds: this.config.RATE_LIMIT_WINDOW_SECONDS };
  }

  /**
   * Decides whether one more `action` request fits every check and, if so, records it. Given
   * `tx`, it runs there: the record commits or rolls back with the operation, and the keys stay
   * locked until then.
   */
  async consume(
    action: RateLimitedAction,
    checks: readonly RateLimitCheck[],
    tx?: Tx,
  ): Promise<ThrottleDecision> {
    const active = checks.filter((c) => c.limit.max > 0);
    if (!active.length) return { allowed: true };
    if (!tx)
      return inGlobalTransaction(this.dataSource, (own) => this.consume(action, active, own));
    const keys = [...new Set(active.map((c) => c.key))].sort();
    // In one order, so two requests sharing keys never wait on each other crosswise.
    for (const key of keys) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `rate-limit:${action}:${key}`,
      ]);
    }
    const now = this.clock.now();
    const longest = Math.max(...active.map((c) => c.limit.windowSeconds));
    const recent = await rows<{ key: string; created_at: Date }>(
      tx,
      `SELECT key, created_at FROM rate_limit_hits
        WHERE action = $1 AND key = ANY($2) AND created_at > $3`,
      [action, keys, new Date(now.getTime() - longest * 1000)],
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
    if (decision.allowed) {
      await tx.query(
        `INSERT INTO rate_limit_hits (action, key, created_at)
         SELECT $1, k, $3 FROM unnest($2::text[]) AS k`,
        [action, keys, now],
      );
    }
    return decision;
  }

  /** `consume`, refusing with TOO_MANY_ATTEMPTS (and retryAfterSeconds) past a limit. */
  async enforce(
    action: RateLimitedAction,
    checks: readonly RateLimitCheck[],
    tx?: Tx,
  ): Promise<void> {
    const decision = await this.consume(action, checks, tx);
    if (!decision.allowed) {
      const { retryAfterSeconds } = decision;
      throw new AccountsException(
        AccountsErrorCode.TOO_MANY_ATTEMPTS,
        `Too many requests; try again in ${retryAfterSeconds} seconds`,
        { retryAfterSeconds, details: { retryAfterSeconds } },
      );
    }
  }

  /** Forgets requests older than every window (run by the maintenance job). */
  async prune(): Promise<void> {
    const keepSeconds = Math.max(DAY_SECONDS, this.config.RATE_LIMIT_WINDOW_SECONDS);
    await this.dataSource.query(`DELETE FROM rate_limit_hits WHERE created_at < $1`, [
      new Date(this.clock.now().getTime() - keepSeconds * 1000),
    ]);
  }
}
