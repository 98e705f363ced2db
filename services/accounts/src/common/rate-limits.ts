import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import {
  RateLimiter,
  rateLimited,
  rateLimitHash,
  rateLimitKeys,
  type RateLimit,
} from '@switchboard/rate-limit';
import type { AccountsConfig } from '../config';
import { normalizeEmail } from '../domain/email-address';
import { AccountsErrorCode, AccountsException } from './accounts.exception';

/**
 * The operations of accounts with rate limits (`rate_limit_hits.action`), kept by the one
 * limiter of the platform (@switchboard/rate-limit) in accounts' own table.
 */
export type RateLimitedAction =
  | 'signUp'
  | 'requestPasswordReset'
  | 'resendVerificationEmail'
  | 'inviteMember'
  | 'changePassword'
  | 'resetPassword'
  | 'acceptInvitation'
  | 'refreshSession';

/**
 * The limits of the operations that send mail or create accounts refuse with
 * TOO_MANY_ATTEMPTS, as they always have (clients switch on it); the others with the common
 * RATE_LIMITED. Both carry `retryAfterSeconds`.
 */
const TOO_MANY_ATTEMPTS_ACTIONS: ReadonlySet<string> = new Set<RateLimitedAction>([
  'signUp',
  'requestPasswordReset',
  'resendVerificationEmail',
  'inviteMember',
]);

/** The per-organization limit's window. */
export const DAY_SECONDS = 86_400;

const emailHash = (email: string) => rateLimitHash(normalizeEmail(email));

/** Keys of `rate_limit_hits`: never an email address or a token, only its SHA-256. */
export const rateLimitKey = {
  ip: rateLimitKeys.ip,
  user: rateLimitKeys.user,
  org: rateLimitKeys.org,
  email: (email: string) => `email:${emailHash(email)}`,
  orgEmail: (orgId: string, email: string) => `org:${orgId}:email:${emailHash(email)}`,
  /** A presented secret (invitation or refresh token), by hash. */
  token: (token: string) => rateLimitKeys.hashed('token', token),
};

/** A limit of the configured window (RATE_LIMIT_WINDOW_SECONDS). */
export const perWindow = (config: AccountsConfig, max: number): RateLimit => ({
  max,
  windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
});

/** How long rate-limit rows are kept (the longest window). */
export const rateLimitRetentionSeconds = (config: AccountsConfig) =>
  Math.max(DAY_SECONDS, config.RATE_LIMIT_WINDOW_SECONDS);

export function refuseRateLimited(retryAfterSeconds: number, action: string): Error {
  if (!TOO_MANY_ATTEMPTS_ACTIONS.has(action)) return rateLimited(retryAfterSeconds);
  return new AccountsException(
    AccountsErrorCode.TOO_MANY_ATTEMPTS,
    `Too many requests; try again in ${retryAfterSeconds} seconds`,
    { retryAfterSeconds, details: { retryAfterSeconds } },
  );
}

/** The limiter over accounts' `rate_limit_hits`. */
export const rateLimiterProvider: Provider = {
  provide: RateLimiter,
  inject: [DataSource, Clock],
  useFactory: (dataSource: DataSource, clock: Clock) =>
    new RateLimiter(dataSource, clock, { refuse: refuseRateLimited }),
};
