/**
 * Sliding-window maths, pure (no clock, no database): a repository loads the timestamps, these
 * functions decide.
 *
 * Failures (`throttle`, e.g. logins): failed attempts per key. With `resetOnSuccess` a success
 * clears the failures before it (the account owner got in); without it (per IP) it does not.
 * When the limit is reached the caller waits until the oldest counted failure leaves the window.
 *
 * Requests (`rateLimit`): every request the limit let through counts, per IP, per target email,
 * per organization...; the same window and the same wait.
 */
export interface Attempt {
  at: Date;
  succeeded: boolean;
}

export interface ThrottleRule {
  maxFailures: number;
  windowSeconds: number;
  /** Whether a success forgets the failures before it. */
  resetOnSuccess: boolean;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function throttle(
  attempts: readonly Attempt[],
  rule: ThrottleRule,
  now: Date,
): ThrottleDecision {
  const windowStart = now.getTime() - rule.windowSeconds * 1000;
  const sorted = [...attempts]
    .filter((a) => a.at.getTime() > windowStart && a.at.getTime() <= now.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  let failures: Date[] = [];
  for (const attempt of sorted) {
    if (attempt.succeeded) {
      if (rule.resetOnSuccess) failures = [];
    } else failures.push(attempt.at);
  }
  if (failures.length < rule.maxFailures) return { allowed: true };
  // The window must drop enough failures to get back under the limit.
  const freeing = failures[failures.length - rule.maxFailures];
  const retryAfterMs = freeing.getTime() + rule.windowSeconds * 1000 - now.getTime();
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/** At most `max` requests per sliding window of `windowSeconds`; `max` 0 turns it off. */
export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/** Whether one more request fits next to the earlier `requests` (the ones that were let through). */
export function rateLimit(
  requests: readonly Date[],
  limit: RateLimit,
  now: Date,
): ThrottleDecision {
  if (limit.max <= 0) return { allowed: true };
  return throttle(
    requests.map((at) => ({ at, succeeded: false })),
    { maxFailures: limit.max, windowSeconds: limit.windowSeconds, resetOnSuccess: false },
    now,
  );
}

/** Several limits at once: refused when any refuses, waiting for the longest of them. */
export function strictest(decisions: readonly ThrottleDecision[]): ThrottleDecision {
  const waits = decisions.flatMap((d) => (d.allowed ? [] : [d.retryAfterSeconds]));
  return waits.length
    ? { allowed: false, retryAfterSeconds: Math.max(...waits) }
    : { allowed: true };
}
