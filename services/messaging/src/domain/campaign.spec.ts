import {
  campaignBudget,
  campaignCounterOf,
  campaignMessageKey,
  campaignTransition,
  effectiveRate,
  estimatedSeconds,
  progressWebhookDue,
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
