import { callbackBackoffMs } from './rate-limits';

/** What went wrong with one call to GHL, as the callback queue needs to know it. */
export interface CallbackFailure {
  /** GHL_UNAVAILABLE, GHL_REQUEST_FAILED, UNKNOWN_LOCATION, OAUTH_FAILED, or anything else. */
  code: string;
  /** GHL's HTTP status, when it answered. */
  status?: number;
  /** Whether the request may have reached GHL (false: refused before sending). */
  reached: boolean;
  retryAfterSeconds?: number;
}

export type CallbackDecision =
  { action: 'retry'; delayMs: number; counted: boolean } | { action: 'give-up' };

const UNINSTALLED_RECHECK_MS = 60_000;

/**
 * Whether and when a failed callback is tried again. Rate limits (ours, or GHL's 429) and an
 * uninstalled location never count against the attempts: the call waits, it is not lost. Other
 * unavailability (5xx, network) is retried with backoff up to `maxAttempts` — for a call that
 * is not idempotent, only when it cannot have reached GHL. A refusal GHL means (4xx) is final.
 */
export function decideCallbackRetry(
  failure: CallbackFailure,
  attempts: number,
  maxAttempts: number,
  idempotent: boolean,
): CallbackDecision {
  const after = (failure.retryAfterSeconds ?? 0) * 1000;
  if (failure.code === 'UNKNOWN_LOCATION') {
    return { action: 'retry', delayMs: UNINSTALLED_RECHECK_MS, counted: false };
  }
  if (failure.code === 'GHL_UNAVAILABLE' && (failure.status === 429 || !failure.reached)) {
    return {
      action: 'retry',
      delayMs: Math.max(after, failure.status === 429 ? 1000 : 0, 200),
      counted: failure.status !== 429 && failure.retryAfterSeconds === undefined,
    };
  }
  if (failure.code === 'GHL_UNAVAILABLE' || failure.code === 'OAUTH_FAILED') {
    if (!idempotent && failure.reached) return { action: 'give-up' };
    if (attempts + 1 >= maxAttempts) return { action: 'give-up' };
    return {
      action: 'retry',
      delayMs: Math.max(after, callbackBackoffMs(attempts + 1)),
      counted: true,
    };
  }
  return { action: 'give-up' };
}
