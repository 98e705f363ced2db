/**
 * When a failed webhook delivery is tried again, when it is given up, and when an endpoint
 * that keeps failing is disabled. Pure: the caller passes the time and the randomness.
 */

export interface RetrySchedule {
  /** Delay before the second attempt. */
  baseDelayMs: number;
  /** Longest delay between two attempts. */
  maxDelayMs: number;
  /** Attempts continue until this long after the first one (at least 72 hours). */
  retryWindowMs: number;
  /** ± this fraction of the delay, at random, so failed deliveries do not retry in lockstep. */
  jitter: number;
}

const HOUR = 3_600_000;

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseDelayMs: 30_000,
  maxDelayMs: 6 * HOUR,
  retryWindowMs: 72 * HOUR,
  jitter: 0.2,
};

/** The delay after the `attempt`-th failed attempt (1-based): exponential, capped, jittered. */
export function retryDelayMs(
  attempt: number,
  random: number,
  schedule = DEFAULT_RETRY_SCHEDULE,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  const plain = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
  const factor = 1 + schedule.jitter * (2 * Math.min(Math.max(random, 0), 1) - 1);
  return Math.max(1000, Math.round(plain * factor));
}

export type RetryDecision = { retryAt: Date } | { giveUp: true };

/**
 * After a failed attempt: the next attempt's time, or give up once the retry window since the
 * first attempt is over. The last retry is moved to the window's end rather than skipped, so a
 * delivery is tried over the whole window (an endpoint down for 71 hours still gets it).
 */
export function decideRetry(
  input: { attempt: number; firstAttemptAt: Date; now: Date; random: number },
  schedule = DEFAULT_RETRY_SCHEDULE,
): RetryDecision {
  const windowEnd = input.firstAttemptAt.getTime() + schedule.retryWindowMs;
  const now = input.now.getTime();
  if (now >= windowEnd) return { giveUp: true };
  const next = now + retryDelayMs(input.attempt, input.random, schedule);
  return { retryAt: new Date(Math.min(next, windowEnd)) };
}

export const DISABLE_AFTER_MS = 5 * 24 * HOUR;

/**
 * The endpoint's health after an attempt: a success clears `failingSince`; a failure starts it
 * (or keeps the first failure's time), and an endpoint failing without a success for
 * `disableAfterMs` is to be disabled.
 */
export function endpointHealthAfter(
  input: { succeeded: boolean; failingSince: Date | null; now: Date },
  disableAfterMs = DISABLE_AFTER_MS,
): { failingSince: Date | null; disable: boolean } {
  if (input.succeeded) return { failingSince: null, disable: false };
  const failingSince = input.failingSince ?? input.now;
  return {
    failingSince,
    disable: input.now.getTime() - failingSince.getTime() >= disableAfterMs,
  };
}

/** A 2xx answer is a success; anything else (or no answer) is retried. */
export function isDeliverySuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
