import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { LoginAttemptsRepository, type LoginAttemptRecord } from './login-attempts.repository';
import { strictest, throttle, type Attempt } from '@switchboard/rate-limit';

/**
 * Throttles password logins per account and per client IP (@switchboard/rate-limit `throttle`). An attempt is
 * recorded as failed *before* the password is checked and turned into a success afterwards,
 * so parallel guesses count against each other. Accounts are keyed by a hash of the email:
 * the table holds no addresses, and unknown emails are throttled like known ones.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly attempts: LoginAttemptsRepository,
  ) {}

  static accountKey(email: string): string {
    return createHash('sha256').update(`login:${email.toLowerCase()}`).digest('hex');
  }

  /** Refuses with TOO_MANY_ATTEMPTS, or records a pending attempt and returns its id. */
  async begin(email: string, ip: string): Promise<string> {
    const now = this.clock.now();
    const account = LoginThrottle.accountKey(email);
    const windowSeconds = this.config.LOGIN_THROTTLE_WINDOW_SECONDS;
    const since = new Date(now.getTime() - windowSeconds * 1000);
    const recent = await this.attempts.recent(this.dataSource.manager, account, ip, since);
    const of = (match: (r: LoginAttemptRecord) => boolean): Attempt[] =>
      recent.filter(match).map((r) => ({ at: r.createdAt, succeeded: r.succeeded }));
    const decision = strictest([
      throttle(
        of((r) => r.accountKey === account),
        {
          maxFailures: this.config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
          windowSeconds,
          resetOnSuccess: true,
        },
        now,
      ),
      throttle(
        of((r) => r.ip === ip),
        {
          maxFailures: this.config.LOGIN_MAX_FAILURES_PER_IP,
          windowSeconds,
          resetOnSuccess: false,
        },
        now,
      ),
    ]);
    if (!decision.allowed) {
      const { retryAfterSeconds } = decision;
      throw new AccountsException(
        AccountsErrorCode.TOO_MANY_ATTEMPTS,
        `Too many failed attempts; try again in ${retryAfterSeconds} seconds`,
        { retryAfterSeconds, details: { retryAfterSeconds } },
      );
    }
    return this.attempts.insertPending(this.dataSource.manager, account, ip, now);
  }

  async succeeded(attemptId: string): Promise<void> {
    await this.attempts.markSucceeded(this.dataSource.manager, attemptId);
  }

  /** Forgets attempts older than a day (run by the maintenance job). */
  async prune(): Promise<void> {
    await this.attempts.deleteBefore(
      this.dataSource.manager,
      new Date(
        this.clock.now().getTime() -
          Math.max(86_400, this.config.LOGIN_THROTTLE_WINDOW_SECONDS) * 1000,
      ),
    );
  }
}
