import { bucketsOf, callbackBackoffMs, pauseFromHeaders } from './rate-limits';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('GHL rate limits', () => {
  it('never lets more than the limit through in any window (capacity + refill = limit)', () => {
    const { burst, daily } = bucketsOf({ burst: 100, intervalMs: 10_000, daily: 200_000 });
    expect(burst.burst + burst.rate * 10).toBe(100);
    expect(daily.burst + daily.rate * 86_400).toBeCloseTo(200_000);
  });

  it('pauses on 429 (Retry-After, else the interval) and when the headers say none are left', () => {
    expect(pauseFromHeaders(429, headers({ 'retry-after': '3' }), 10_000)).toBe(3000);
    expect(pauseFromHeaders(429, headers({}), 10_000)).toBe(10_000);
    expect(
      pauseFromHeaders(
        200,
        headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-interval-milliseconds': '5000' }),
        10_000,
      ),
    ).toBe(5000);
    expect(pauseFromHeaders(200, headers({ 'x-ratelimit-remaining': '12' }), 10_000)).toBe(0);
    expect(pauseFromHeaders(200, headers({ 'x-ratelimit-daily-remaining': '0' }), 10_000)).toBe(
      86_400_000,
    );
  });

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3].map(callbackBackoffMs)).toEqual([1000, 2000, 4000]);
    expect(callbackBackoffMs(40)).toBe(600_000);
  });
});
