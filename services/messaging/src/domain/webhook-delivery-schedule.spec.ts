import {
  decideRetry,
  DEFAULT_RETRY_SCHEDULE,
  DISABLE_AFTER_MS,
  endpointHealthAfter,
  isDeliverySuccess,
  retryDelayMs,
} from './webhook-delivery-schedule';

const HOUR = 3_600_000;
const t0 = new Date('2026-01-01T00:00:00Z');

describe('webhook retry schedule', () => {
  it('grows exponentially from 30 s and caps at 6 h (no jitter at random = 0.5)', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.5))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
    expect(retryDelayMs(20, 0.5)).toBe(6 * HOUR);
    expect(retryDelayMs(1000, 0.5)).toBe(6 * HOUR);
  });

  it('jitters by ±20 %', () => {
    expect(retryDelayMs(2, 0)).toBe(48_000);
    expect(retryDelayMs(2, 1)).toBe(72_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(5, Math.random());
      expect(d).toBeGreaterThanOrEqual(0.8 * 480_000);
      expect(d).toBeLessThanOrEqual(1.2 * 480_000);
    }
  });

  it('keeps trying for the whole 72 hours, then gives up', () => {
    for (const random of [0, 0.5, 1]) {
      let now = t0;
      let attempt = 1;
      const times: number[] = [];
      for (;;) {
        const decision = decideRetry({ attempt, firstAttemptAt: t0, now, random });
        if ('giveUp' in decision) break;
        expect(decision.retryAt.getTime()).toBeGreaterThan(now.getTime());
        now = decision.retryAt;
        times.push(now.getTime());
        attempt++;
      }
      expect(now.getTime() - t0.getTime()).toBe(DEFAULT_RETRY_SCHEDULE.retryWindowMs);
      expect(DEFAULT_RETRY_SCHEDULE.retryWindowMs).toBeGreaterThanOrEqual(72 * HOUR);
      // about 19–25 attempts over three days, never more than 6 h (+20 %) apart
      expect(attempt).toBeGreaterThan(15);
      expect(attempt).toBeLessThan(30);
    }
  });

  it('gives up at once when the window is already over', () => {
    expect(
      decideRetry({
        attempt: 3,
        firstAttemptAt: t0,
        now: new Date(t0.getTime() + 72 * HOUR),
        random: 0.5,
      }),
    ).toEqual({ giveUp: true });
  });
});

describe('endpoint health', () => {
  it('starts failing at the first failure, clears on success, disables after 5 days', () => {
    const first = endpointHealthAfter({ succeeded: false, failingSince: null, now: t0 });
    expect(first).toEqual({ failingSince: t0, disable: false });
    const later = new Date(t0.getTime() + DISABLE_AFTER_MS - 1);
    expect(endpointHealthAfter({ succeeded: false, failingSince: t0, now: later })).toEqual({
      failingSince: t0,
      disable: false,
    });
    const fiveDays = new Date(t0.getTime() + DISABLE_AFTER_MS);
    expect(endpointHealthAfter({ succeeded: false, failingSince: t0, now: fiveDays })).toEqual({
      failingSince: t0,
      disable: true,
    });
    expect(endpointHealthAfter({ succeeded: true, failingSince: t0, now: fiveDays })).toEqual({
      failingSince: null,
      disable: false,
    });
  });

  it('counts 2xx as success only', () => {
    expect([200, 204, 299].every(isDeliverySuccess)).toBe(true);
    expect([null, 199, 301, 404, 500].some(isDeliverySuccess)).toBe(false);
  });
});
