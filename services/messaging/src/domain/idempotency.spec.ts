import {
  canonicalJson,
  isValidIdempotencyKey,
  onExistingKey,
  requestFingerprint,
  sendFingerprint,
} from './idempotency';

describe('idempotency', () => {
  it('canonical JSON ignores key order and undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(canonicalJson(new Date('2030-01-01T00:00:00Z'))).toBe('"2030-01-01T00:00:00.000Z"');
    expect(canonicalJson(null)).toBe('null');
  });

  const base = {
    to: '+14155550123',
    body: 'hi',
    metadata: { a: '1', b: '2' },
    validUntil: new Date('2030-01-01T00:00:00Z'),
  };

  it('same parameters, same fingerprint, whatever the order', () => {
    expect(requestFingerprint(base)).toBe(
      requestFingerprint({
        validUntil: new Date('2030-01-01T00:00:00.000Z'),
        metadata: { b: '2', a: '1' },
        body: 'hi',
        to: '+14155550123',
        deviceId: undefined,
      }),
    );
    expect(requestFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['body', { body: 'hi!' }],
    ['to', { to: '+14155550124' }],
    ['metadata value', { metadata: { a: '1', b: '3' } }],
    ['metadata key', { metadata: { a: '1' } }],
    ['validity', { validUntil: new Date('2030-01-01T00:00:01Z') }],
    ['device', { deviceId: 'd1' }],
    ['null vs absent', { scheduledAt: null }],
  ])('a different %s, a different fingerprint', (_what, change) => {
    expect(requestFingerprint({ ...base, ...change })).not.toBe(requestFingerprint(base));
  });

  it('an MMS differs by its media; an SMS keeps the fingerprint it had before media existed', () => {
    const sms = { to: '+14155550123', from: null, body: 'hi', metadata: {} };
    expect(sendFingerprint({ ...sms, mediaUrls: [] })).toBe(sendFingerprint(sms));
    expect(sendFingerprint({ ...sms, mediaUrls: ['https://m.example/a.jpg'] })).not.toBe(
      sendFingerprint({ ...sms, mediaUrls: ['https://m.example/b.jpg'] }),
    );
    expect(sendFingerprint({ ...sms, mediaUrls: ['https://m.example/a.jpg'] })).not.toBe(
      sendFingerprint(sms),
    );
  });

  it('replays on the same fingerprint, conflicts on another', () => {
    const stored = { fingerprint: 'f1', messageId: 'm1' };
    expect(onExistingKey(stored, 'f1')).toEqual({ outcome: 'replay', messageId: 'm1' });
    expect(onExistingKey(stored, 'f2')).toEqual({ outcome: 'conflict' });
  });

  it('keys are 1–255 visible ASCII characters', () => {
    expect(isValidIdempotencyKey('order-1234_retry:1')).toBe(true);
    expect(isValidIdempotencyKey('k'.repeat(255))).toBe(true);
    expect(isValidIdempotencyKey('k'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('has space')).toBe(false);
    expect(isValidIdempotencyKey('ünicode')).toBe(false);
  });
});
