import {
  campaignBudget,
  campaignBurst,
  campaignCounterOf,
  campaignEta,
  campaignMessageKey,
  campaignTransition,
  effectiveRate,
  estimatedSeconds,
  liveProgress,
  campaignRoute,
  plannedRate,
  progressWebhookDue,
  rateNow,
  recordRate,
  type CapacityRoute,
  type CapacitySender,
} from './campaign';

describe('campaignTransition', () => {
  it('starts, pauses, resumes and cancels', () => {
    expect(campaignTransition('DRAFT', 'start', false)).toBe('RUNNING');
    expect(campaignTransition('DRAFT', 'start', true)).toBe('SCHEDULED');
    expect(campaignTransition('RUNNING', 'pause', false)).toBe('PAUSED');
    expect(campaignTransition('PAUSED', 'resume', false)).toBe('RUNNING');
    expect(campaignTransition('PAUSED', 'cancel', false)).toBe('CANCELED');
  });

  it('refuses what does not apply; a final campaign never changes', () => {
    expect(campaignTransition('RUNNING', 'start', false)).toBeUndefined();
    expect(campaignTransition('DRAFT', 'resume', false)).toBeUndefined();
    expect(campaignTransition('COMPLETED', 'cancel', false)).toBeUndefined();
    expect(campaignTransition('CANCELED', 'resume', false)).toBeUndefined();
  });
});

describe('campaignBudget', () => {
  it('refills at the rate, up to the burst, and keeps the fraction', () => {
    expect(campaignBudget({ tokens: 0, at: 0 }, 60_000, 30, 100)).toEqual({
      allowed: 30,
      tokens: 0,
    });
    expect(campaignBudget({ tokens: 0, at: 0 }, 1_000, 30, 100)).toEqual({
      allowed: 0,
      tokens: 0.5,
    });
    expect(campaignBudget({ tokens: 0.5, at: 0 }, 1_000, 30, 100)).toEqual({
      allowed: 1,
      tokens: 0,
    });
    expect(campaignBudget({ tokens: 0, at: 0 }, 3_600_000, 30, 10).allowed).toBe(10);
  });
});

describe('estimates and keys', () => {
  it('says how long a campaign takes and keys each message by campaign and contact', () => {
    expect(estimatedSeconds(200, 60)).toBe(200);
    expect(campaignMessageKey('c1', 'k1')).toBe('campaign:c1:k1');
  });
});

describe('campaignCounterOf', () => {
  it('counts sent, delivered, failed and expired messages, nothing else', () => {
    expect(['SENT', 'DELIVERED', 'FAILED', 'EXPIRED'].map(campaignCounterOf)).toEqual([
      'sent',
      'delivered',
      'failed',
      'expired',
    ]);
    expect(campaignCounterOf('QUEUED')).toBeUndefined();
    expect(campaignCounterOf('REJECTED')).toBeUndefined();
  });
});

describe('effectiveRate', () => {
  it('caps the rate at 30 segments a minute per online phone', () => {
    expect(effectiveRate(1000, 5, 1)).toBe(150);
    expect(effectiveRate(1000, 5, 2)).toBe(75);
    expect(effectiveRate(100, 5, 1)).toBe(100);
    expect(effectiveRate(1000, 0, 1)).toBe(1000);
    expect(effectiveRate(1000, 1, 40)).toBe(1);
  });

  it('takes another per-phone figure (test platforms pacing over a shortened window)', () => {
    expect(effectiveRate(100_000, 5, 1, 1800)).toBe(9000);
    expect(effectiveRate(100_000, 5, 2, 1800)).toBe(4500);
  });
});

describe('progressWebhookDue', () => {
  it('is due at a status change, the first time, and then every few seconds', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const soon = new Date(at.getTime() + 1000);
    const later = new Date(at.getTime() + 6000);
    expect(progressWebhookDue(null, at, false)).toBe(true);
    expect(progressWebhookDue(at, soon, false)).toBe(false);
    expect(progressWebhookDue(at, soon, true)).toBe(true);
    expect(progressWebhookDue(at, later, false)).toBe(true);
  });
});

describe('campaignBurst and the bucket under a late runner', () => {
  it('holds ten seconds of the rate (or two poll intervals), at least 1, at most a step', () => {
    expect(campaignBurst(150, 1000, 1000)).toBe(25);
    expect(campaignBurst(1500, 1000, 1000)).toBe(250);
    expect(campaignBurst(150, 20_000, 1000)).toBe(100);
    expect(campaignBurst(1, 1000, 1000)).toBe(1);
    expect(campaignBurst(600_000, 1000, 1000)).toBe(1000);
  });

  it('keeps the planned rate when each step cycle takes 3 s (two intervals of burst lost a third)', () => {
    const rate = 1500; // 25 a second
    const run = (burst: number) => {
      let bucket = { tokens: 0, at: 0 };
      let sent = 0;
      for (let t = 3000; t <= 60_000; t += 3000) {
        const b = campaignBudget(bucket, t, rate, burst);
        sent += b.allowed;
        bucket = { tokens: b.tokens, at: t };
      }
      return sent;
    };
    expect(run(50)).toBe(20 * 50); // the old burst: 1000 a minute, fidelity 0.67
    expect(run(campaignBurst(rate, 1000, 1000))).toBe(1500);
  });
});

describe('plannedRate', () => {
  const limits = { phoneSegmentsPerMinute: 30, carrierSegmentsPerSecond: 1 };
  const pool: CapacityRoute = { kind: 'DEVICE_POOL', enabled: true, numbers: 0 };
  const twilio = (numbers: number, enabled = true): CapacityRoute => ({
    kind: 'TWILIO',
    enabled,
    numbers,
  });

  it('caps at the online phones × 30 segments (no routes: the implicit device pool)', () => {
    expect(plannedRate(6000, [], 5, 1, limits)).toEqual({
      ratePerMinute: 150,
      limitedBy: 'PHONES',
    });
    expect(plannedRate(6000, [pool], 5, 2, limits)).toEqual({
      ratePerMinute: 75,
      limitedBy: 'PHONES',
    });
    expect(plannedRate(100, [], 5, 1, limits)).toEqual({
      ratePerMinute: 100,
      limitedBy: 'REQUESTED',
    });
  });

  it("caps at a carrier route's numbers × its throughput when that route goes first", () => {
    expect(plannedRate(6000, [twilio(2), pool], 5, 1, limits)).toEqual({
      ratePerMinute: 120,
      limitedBy: 'CARRIER',
    });
    expect(plannedRate(6000, [twilio(2)], 0, 3, limits).ratePerMinute).toBe(40);
    expect(
      plannedRate(6000, [twilio(1)], 0, 1, { ...limits, carrierSegmentsPerSecond: 10 })
        .ratePerMinute,
    ).toBe(600);
  });

  it('skips a disabled route, a pool with no phone online and an account without numbers', () => {
    expect(plannedRate(6000, [twilio(3, false), pool], 5, 1, limits).limitedBy).toBe('PHONES');
    expect(plannedRate(6000, [pool, twilio(1)], 0, 1, limits)).toEqual({
      ratePerMinute: 60,
      limitedBy: 'CARRIER',
    });
    expect(plannedRate(6000, [twilio(0), pool], 2, 1, limits).ratePerMinute).toBe(60);
    expect(plannedRate(6000, [pool], 0, 1, limits)).toEqual({
      ratePerMinute: 6000,
      limitedBy: 'REQUESTED',
    });
  });

  it('never plans below one a minute (a 40-segment template on one phone)', () => {
    expect(plannedRate(1000, [], 1, 40, limits).ratePerMinute).toBe(1);
  });

  describe('with a sender (route preference)', () => {
    const routes: CapacityRoute[] = [
      { ...pool, id: 'pool' },
      { ...twilio(3), id: 'twilio' },
      { ...twilio(0), id: 'empty' },
    ];
    const sender = (routeId: string, over: Partial<CapacitySender> = {}): CapacitySender => ({
      routeId,
      fallback: false,
      from: null,
      ...over,
    });

    it("follows the sender's route although another comes first", () => {
      expect(plannedRate(6000, routes, 5, 1, limits, sender('twilio'))).toEqual({
        ratePerMinute: 180,
        limitedBy: 'CARRIER',
      });
      expect(campaignRoute(routes, 5, limits, sender('twilio'))?.id).toBe('twilio');
      expect(campaignRoute(routes, 5, limits)?.id).toBe('pool');
    });

    it('one number when the sender chose it: one SIM, one carrier number', () => {
      expect(
        plannedRate(6000, routes, 5, 1, limits, sender('pool', { from: { online: true } })),
      ).toEqual({ ratePerMinute: 30, limitedBy: 'PHONES' });
      expect(
        plannedRate(6000, routes, 5, 1, limits, sender('twilio', { from: { online: false } })),
      ).toEqual({ ratePerMinute: 60, limitedBy: 'CARRIER' });
    });

    it('a route that cannot send now: no cap alone, the next route with fallback', () => {
      const offline = sender('pool', { from: { online: false } });
      expect(plannedRate(6000, routes, 5, 1, limits, offline)).toEqual({
        ratePerMinute: 6000,
        limitedBy: 'REQUESTED',
      });
      expect(campaignRoute(routes, 5, limits, offline)?.id).toBe('pool');
      const withFallback = sender('empty', { fallback: true });
      expect(plannedRate(6000, routes, 5, 1, limits, withFallback)).toEqual({
        ratePerMinute: 150,
        limitedBy: 'PHONES',
      });
      expect(campaignRoute(routes, 5, limits, withFallback)?.id).toBe('pool');
    });

    it('a route that is gone: no cap, no route', () => {
      expect(plannedRate(6000, routes, 5, 1, limits, sender('gone')).limitedBy).toBe('REQUESTED');
      expect(campaignRoute(routes, 5, limits, sender('gone'))).toBeNull();
    });
  });
});

describe('the rate-now ring', () => {
  const t0 = 1_800_000_000_000; // a slot boundary
  it('sums the last minute of 5 s slots, shifting older ones out', () => {
    let ring = recordRate({ slots: [], at: null }, t0, 10);
    ring = recordRate(ring, t0 + 1000, 5);
    expect(ring).toEqual({ slots: [15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], at: t0 });
    ring = recordRate(ring, t0 + 12_000, 7);
    expect(ring.slots.slice(0, 3)).toEqual([7, 0, 15]);
    expect(ring.at).toBe(t0 + 10_000);
    expect(rateNow(ring, t0 + 14_000, t0 - 120_000)).toBe(22);
    // 55 s later the first 15 fall out of the minute; 65 s later everything has.
    expect(rateNow(ring, t0 + 60_000, t0 - 120_000)).toBe(7);
    expect(rateNow(ring, t0 + 75_000, t0 - 120_000)).toBe(0);
    expect(recordRate(ring, t0 + 200_000, 1).slots).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('scales up a campaign younger than a minute; counts a step from a clock behind in the newest slot', () => {
    const ring = recordRate({ slots: [], at: null }, t0, 30);
    expect(rateNow(ring, t0 + 20_000, t0)).toBe(90);
    expect(rateNow({ slots: [], at: null }, t0, t0)).toBe(0);
    const behind = recordRate(ring, t0 - 6000, 3);
    expect(behind).toEqual({ slots: [33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], at: t0 });
  });
});

describe('ETA and live progress', () => {
  it('is what is left at the planned rate, only while running', () => {
    expect(campaignEta(true, 300, 150, 1000)).toBe(1000 + 120_000);
    expect(campaignEta(false, 300, 150, 1000)).toBeNull();
    expect(campaignEta(true, 300, null, 1000)).toBeNull();
    const base = {
      status: 'RUNNING' as const,
      ratePerMinute: 6000,
      plannedRatePerMinute: 150,
      recipientsTotal: 1000,
      processed: 700,
      rateSlots: [12, 13],
      rateSlotAt: 1_800_000_000_000,
      startedAt: 1_800_000_000_000 - 300_000,
    };
    expect(liveProgress(base, 1_800_000_001_000)).toEqual({
      rateNow: 25,
      plannedRatePerMinute: 150,
      etaSeconds: 120,
      eta: 1_800_000_001_000 + 120_000,
    });
    expect(liveProgress({ ...base, status: 'PAUSED' }, 1_800_000_001_000)).toMatchObject({
      etaSeconds: 0,
      eta: null,
    });
    // Before the first step: the requested rate.
    expect(
      liveProgress({ ...base, plannedRatePerMinute: null }, 1_800_000_001_000).plannedRatePerMinute,
    ).toBe(6000);
  });
});
