import { deviceStatus } from './device-status';
import { recordOutcome, recordOutcomes, INITIAL_HEALTH, type Health } from './health';
import { normalizeDeviceError, transitionsFor } from './message-states';
import { maskNumber, toE164 } from './phone-numbers';
import { SecretBox } from './secret-box';
import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import { hashToken } from './tokens';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('transitionsFor (app state reports)', () => {
  const now = 1_000;
  it('reads Pending as Processed', () => {
    expect(
      transitionsFor('HANDED_OUT', { state: 'Pending', states: {}, error: null }, now),
    ).toEqual([{ state: 'PROCESSED', at: now }]);
  });

  it('fills in the steps the app recorded, with its times', () => {
    const report = {
      state: 'Delivered' as const,
      states: { Processed: 10, Sent: 20, Delivered: 30 },
      error: null,
    };
    expect(transitionsFor('HANDED_OUT', report, now)).toEqual([
      { state: 'PROCESSED', at: 10 },
      { state: 'SENT', at: 20 },
      { state: 'DELIVERED', at: 30 },
    ]);
    expect(transitionsFor('SENT', report, now)).toEqual([{ state: 'DELIVERED', at: 30 }]);
  });

  it('ignores repeated and backward reports', () => {
    expect(transitionsFor('SENT', { state: 'Processed', states: {}, error: null }, now)).toEqual(
      [],
    );
    expect(transitionsFor('DELIVERED', { state: 'Failed', states: {}, error: 'x' }, now)).toEqual(
      [],
    );
    expect(transitionsFor('RELEASED', { state: 'Sent', states: {}, error: null }, now)).toEqual([]);
    expect(transitionsFor('QUEUED', { state: 'Sent', states: {}, error: null }, now)).toEqual([]);
  });

  it('fails after sent (delivery failure) but not after delivered', () => {
    expect(transitionsFor('SENT', { state: 'Failed', states: {}, error: 'x' }, now)).toEqual([
      { state: 'FAILED', at: now },
    ]);
  });

  it('cancels only what has not been sent', () => {
    const cancelled = { state: 'Cancelled' as const, states: {}, error: null };
    expect(transitionsFor('HANDED_OUT', cancelled, now)).toEqual([{ state: 'CANCELED', at: now }]);
    expect(transitionsFor('PROCESSED', cancelled, now)).toEqual([{ state: 'CANCELED', at: now }]);
    expect(transitionsFor('SENT', cancelled, now)).toEqual([]);
  });
});

describe('normalizeDeviceError', () => {
  it.each([
    ['RESULT_ERROR_NO_SERVICE (Failed because service is currently unavailable)', 'NO_SERVICE'],
    ['RESULT_ERROR_RADIO_OFF (Failed because radio was explicitly turned off)', 'RADIO_OFF'],
    ['RESULT_ERROR_NULL_PDU (Failed because no PDU provided)', 'NULL_PDU'],
    [
      'RESULT_ERROR_LIMIT_EXCEEDED (Failed because we reached the sending queue limit)',
      'LIMIT_EXCEEDED',
    ],
    ['RESULT_RIL_NETWORK_REJECT (The SMS request was rejected by the network)', 'CARRIER_REJECTED'],
    ['RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)', 'GENERIC_FAILURE'],
    ['sendSMS: SIM 2 not found', 'GENERIC_FAILURE'],
    ['CARRIER_REJECTED', 'CARRIER_REJECTED'],
    [null, 'GENERIC_FAILURE'],
  ])('%s → %s', (raw, code) => {
    expect(normalizeDeviceError(raw)).toBe(code);
  });
});

describe('health', () => {
  it('quarantines after five failures in a row', () => {
    let health: Health = INITIAL_HEALTH;
    const reasons: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const update = recordOutcome(health, 'failure');
      health = update.health;
      reasons.push(update.quarantineReason);
    }
    expect(reasons).toEqual([null, null, null, null, '5 consecutive failures']);
  });

  it('recovers with successes and quarantines on a low score only with enough history', () => {
    const low = { score: 10, consecutiveFailures: 0, outcomes: 3 };
    expect(recordOutcome(low, 'timeout').quarantineReason).toBeNull();
    expect(recordOutcome({ ...low, outcomes: 20 }, 'timeout').quarantineReason).toMatch(/below/);
    expect(recordOutcome(INITIAL_HEALTH, 'success').health.score).toBe(100);
    expect(recordOutcome({ ...low, consecutiveFailures: 4 }, 'success').health).toEqual({
      score: 19,
      consecutiveFailures: 0,
      outcomes: 4,
    });
  });

  it("folds a report's outcomes in order, keeping the first quarantine reason", () => {
    const four = { score: 60, consecutiveFailures: 4, outcomes: 12 };
    const update = recordOutcomes(four, ['failure', 'success', 'failure']);
    let expected: Health = four;
    for (const outcome of ['failure', 'success', 'failure'] as const) {
      expected = recordOutcome(expected, outcome).health;
    }
    expect(update).toEqual({ health: expected, quarantineReason: '5 consecutive failures' });
    expect(recordOutcomes(four, [])).toEqual({ health: four, quarantineReason: null });
  });
});

describe('deviceStatus', () => {
  it('puts the organization decision first', () => {
    expect(deviceStatus({ enabled: false, quarantined: true, connected: true })).toBe('DISABLED');
    expect(deviceStatus({ enabled: true, quarantined: true, connected: true })).toBe('QUARANTINED');
    expect(deviceStatus({ enabled: true, quarantined: false, connected: false })).toBe('OFFLINE');
    expect(deviceStatus({ enabled: true, quarantined: false, connected: true })).toBe('ONLINE');
  });
});

describe('webhook signatures', () => {
  const key = 'k3y';
  const body = Buffer.from('{"event":"sms:received","payload":{"message":"héllo"}}');
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);
  const good = signWebhook(key, body, ts);

  it('matches the app: hex HMAC-SHA256 of the raw body then the timestamp', () => {
    expect(good).toMatch(/^[0-9a-f]{64}$/);
    expect(good).toBe(signWebhook(key, body.toString('utf8') + ts, ''));
  });

  it('accepts a fresh, correct signature', () => {
    const check = {
      key,
      rawBody: body,
      timestamp: ts,
      signature: good,
      nowMs: now,
      maxSkewSeconds: 300,
    };
    expect(verifyWebhookSignature(check)).toEqual({ ok: true, timestamp: now / 1000 });
  });

  it('rejects missing, malformed, stale and wrong signatures', () => {
    const base = { key, rawBody: body, nowMs: now, maxSkewSeconds: 300 };
    expect(verifyWebhookSignature({ ...base, timestamp: ts, signature: undefined })).toMatchObject({
      reason: 'missing',
    });
    expect(verifyWebhookSignature({ ...base, timestamp: '12a', signature: good })).toMatchObject({
      reason: 'malformed',
    });
    const old = String(now / 1000 - 301);
    expect(
      verifyWebhookSignature({ ...base, timestamp: old, signature: signWebhook(key, body, old) }),
    ).toMatchObject({ reason: 'stale' });
    expect(
      verifyWebhookSignature({ ...base, timestamp: ts, signature: signWebhook('other', body, ts) }),
    ).toMatchObject({ reason: 'mismatch' });
    const tampered = Buffer.from(body.toString().replace('héllo', 'hello'));
    expect(
      verifyWebhookSignature({ ...base, rawBody: tampered, timestamp: ts, signature: good }),
    ).toMatchObject({ reason: 'mismatch' });
  });
});

describe('phone numbers', () => {
  it('keeps only valid international numbers as E.164', () => {
    expect(toE164('+1 415 555 0123')).toBe('+14155550123');
    expect(toE164('4155550123')).toBeNull();
    expect(toE164('Google')).toBeNull();
  });

  it('masks all but the last four characters', () => {
    expect(maskNumber('+14155550123')).toBe('+*******0123');
    expect(maskNumber('****0123')).toBe('****0123');
    expect(maskNumber('')).toBeNull();
  });
});

describe('tokens and sealed secrets', () => {
  it('makes recognisable tokens and stores only their hash', () => {
    // Recognising tokens is @switchboard/auth's (opaque-tokens.spec.ts).
    const token = generateOpaqueToken(OpaqueTokenPrefix.device);
    expect(hashToken(token)).toHaveLength(32);
  });

  it('seals a secret to its row', () => {
    const box = new SecretBox(Buffer.alloc(32, 7));
    const sealed = box.seal('signing-key', 'device-1');
    expect(sealed).not.toContain('signing-key');
    expect(box.open(sealed, 'device-1')).toBe('signing-key');
    expect(() => box.open(sealed, 'device-2')).toThrow();
  });
});
