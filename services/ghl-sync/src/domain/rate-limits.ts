/**
 * GHL's limits per app and location: `burst` requests per `intervalMs`, `daily` per day. A token
 * bucket of capacity C refilled at r/s lets C + r·T through in any window T, so each limit gets
 * half its budget as capacity and the other half as refill over its window: never more than
 * the limit in any window, sliding or fixed.
 */
export interface GhlLimits {
  burst: number;
  intervalMs: number;
  daily: number;
}

export interface BucketLimit {
  rate: number;
  burst: number;
}

const DAY_SECONDS = 86_400;

export function bucketsOf(limits: GhlLimits): { burst: BucketLimit; daily: BucketLimit } {
  const half = (n: number) => Math.max(1, Math.floor(n / 2));
  return {
    burst: {
      burst: half(limits.burst),
      rate: (limits.burst - half(limits.burst)) / (limits.intervalMs / 1000),
    },
    daily: { burst: half(limits.daily), rate: (limits.daily - half(limits.daily)) / DAY_SECONDS },
  };
}

/** What GHL's `X-RateLimit-*` headers say: how long to pause the location, if at all (ms). */
export function pauseFromHeaders(
  status: number,
  headers: { get(name: string): string | null },
  fallbackIntervalMs: number,
): number {
  const retryAfter = Number(headers.get('retry-after'));
  if (status === 429) {
    if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
    const interval = Number(headers.get('x-ratelimit-interval-milliseconds'));
    return Number.isFinite(interval) && interval > 0 ? interval : fallbackIntervalMs;
  }
  const remaining = headers.get('x-ratelimit-remaining');
  const daily = headers.get('x-ratelimit-daily-remaining');
  if (daily !== null && Number(daily) <= 0) return DAY_SECONDS * 1000;
  if (remaining !== null && Number(remaining) <= 0) {
    const interval = Number(headers.get('x-ratelimit-interval-milliseconds'));
    return Number.isFinite(interval) && interval > 0 ? interval : fallbackIntervalMs;
  }
  return 0;
}

/** Backoff of the n-th failed attempt of a callback (1-based): 1 s doubling, capped at 10 min. */
export function callbackBackoffMs(attempt: number): number {
  return Math.min(600_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
