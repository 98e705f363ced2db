import { OPAQUE_TOKEN_PREFIXES } from '@switchboard/auth';
import {
  isSensitiveKey,
  MAX_ARRAY_ITEMS,
  MAX_STRING_LENGTH,
  REDACTED,
  redact,
  redactString,
} from './redaction';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfMSIsInRlbmFudCI6InRfMSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';

describe('redactString: phone numbers', () => {
  it.each([
    ['+14155550123', '+******23'],
    ['+1 415 555 0123', '+******23'],
    ['+1-415-555-0123', '+******23'],
    ['+1 (415) 555-0123', '+******23'],
    ['+447911123456', '+******56'],
    ['+44 7911 123456', '+******56'],
    ['+33 6 12 34 56 78', '+******78'],
    ['+4930123456', '+******56'],
    ['+1234567', '+******67'], // 7 digits: the shortest E.164 number
    ['+123456789012345', '+******45'], // 15 digits: the longest
  ])('masks %s, keeping the last two digits', (phone, masked) => {
    expect(redactString(phone)).toBe(masked);
  });

  it('masks numbers inside sentences and keeps the sentence', () => {
    expect(redactString('Sending to +14155550123 now')).toBe('Sending to +******23 now');
    expect(redactString('from +447911123456, to +1 415 555 0123.')).toBe(
      'from +******56, to +******23.',
    );
    expect(redactString('tel:+14155550123')).toBe('tel:+******23');
    expect(redactString('{"to":"+14155550123"}')).toBe('{"to":"+******23"}');
  });

  it('leaves alone what is not an international number', () => {
    for (const text of [
      '+123456', // 6 digits
      '+1234567890123456', // 16 digits
      '2024-05-01T12:30:00+02:00',
      '2024-05-01T12:30:00.000Z',
      'offset +0530',
      'retry in 42 seconds',
      'status 503',
      '1 + 1 = 2',
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe('redactString: emails', () => {
  it.each([
    ['jane.doe@example.com', '***@example.com'],
    ['JANE+sms@Mail.Example.co.uk', '***@Mail.Example.co.uk'],
    ['a@b.io', '***@b.io'],
    ['user_1%x@sub-domain.example.org', '***@sub-domain.example.org'],
  ])('keeps only the domain of %s', (email, masked) => {
    expect(redactString(email)).toBe(masked);
  });

  it('masks emails in sentences, and a phone used as an email local part', () => {
    expect(redactString('invite sent to jane@example.com; resent to bob@example.org')).toBe(
      'invite sent to ***@example.com; resent to ***@example.org',
    );
    expect(redactString('+14155550123@sms.example.net')).toBe('***@sms.example.net');
  });

  it('leaves alone what only looks a little like an email', () => {
    for (const text of ['@nestjs/core', 'npm i pkg@1.2.3', 'git@host', 'ratio 3@4']) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe('redactString: tokens and credentials', () => {
  it('replaces JWTs whole', () => {
    expect(redactString(JWT)).toBe('[redacted jwt]');
    expect(redactString(`token=${JWT}&x=1`)).toBe('token=[redacted jwt]&x=1');
    expect(redactString('eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.')).toBe('[redacted jwt]'); // unsigned
  });

  it.each([
    ['sbk_live_4f9a8b7c6d5e4f3a2b1c', 'sbk_[redacted]'],
    ['sbd_Zx81-_qq', 'sbd_[redacted]'],
    ['sbe_enroll123', 'sbe_[redacted]'],
    ['sbr_refresh-token-value', 'sbr_[redacted]'],
    ['sbi_invitation-token-value', 'sbi_[redacted]'],
    ['sbv_verification-token', 'sbv_[redacted]'],
    ['sbp_password-reset-token', 'sbp_[redacted]'],
    ['sbs_oidc-state-value', 'sbs_[redacted]'],
  ])('keeps only the prefix of our token %s', (token, masked) => {
    expect(redactString(token)).toBe(masked);
    expect(redactString(`key=${token} ok`)).toBe(`key=${masked} ok`);
  });

  it('masks every kind of opaque token the platform issues (the @switchboard/auth registry)', () => {
    for (const prefix of OPAQUE_TOKEN_PREFIXES) {
      expect(redactString(`got ${prefix}Zx81-_qqAbCdEf here`)).toBe(`got ${prefix}[redacted] here`);
    }
  });

  it('masks bearer credentials, whatever the token', () => {
    expect(redactString('Authorization: Bearer abc.def-123_456~xyz')).toBe(
      'Authorization: Bearer [redacted]',
    );
    expect(redactString(`bearer ${JWT}`)).toBe('bearer [redacted]');
  });

  it('masks the password of a URL and keeps the rest', () => {
    expect(redactString('postgres://app:s3cr3t@db.internal:5432/sms')).toBe(
      'postgres://app:[redacted]@db.internal:5432/sms',
    );
    expect(redactString('postgres://u:p@h/db')).toBe('postgres://u:[redacted]@h/db');
  });

  it('leaves alone ids, codes and names that merely resemble tokens', () => {
    for (const text of [
      'msg_01HZX3K9Q2V7YB8N4M6P0R5T1W',
      'SM0123456789abcdef0123456789abcdef',
      '9b2f1f3e-8c4d-4e5f-9a6b-7c8d9e0f1a2b',
      'the bearer of bad news',
      'asbk_notatoken',
      'MESSAGE_NOT_FOUND',
      'GET /v1/messages/9b2f1f3e-8c4d-4e5f-9a6b-7c8d9e0f1a2b 200',
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe('redactString: cost bounds', () => {
  it('is idempotent: masks are not masked again', () => {
    const once = redactString(`+14155550123 jane@example.com sbk_abc ${JWT} Bearer abcdefghij`);
    expect(redactString(once)).toBe(once);
  });

  it('cuts very long strings before scrubbing them', () => {
    const long = `${'x'.repeat(MAX_STRING_LENGTH)}+14155550123`;
    const out = redactString(long);
    expect(out.length).toBeLessThan(MAX_STRING_LENGTH + 40);
    expect(out).toMatch(/chars cut\]$/);
    expect(out).not.toContain('4155550123');
  });

  it('stays linear on long runs of token-like characters', () => {
    const blob = 'a'.repeat(MAX_STRING_LENGTH);
    const started = performance.now();
    for (let i = 0; i < 20; i++) redactString(blob);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('isSensitiveKey', () => {
  it.each([
    'body',
    'text',
    'messageBody',
    'password',
    'newPassword',
    'passwordHash',
    'token',
    'accessToken',
    'refresh_token',
    'apiToken',
    'deviceToken',
    'secret',
    'clientSecret',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'email',
    'contactEmail',
    'phone',
    'phoneNumber',
    'phone_number',
    'to',
    'from',
    'recipient',
    'sender',
    'signingKey',
    'x-api-key',
  ])('%s is sensitive', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'id',
    'messageId',
    'tenantId',
    'status',
    'statusCode',
    'count',
    'context',
    'createdAt',
    'emailVerified',
    'tokenExpiresAt',
    'route',
    'segments',
  ])('%s is not', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe('redact', () => {
  it('replaces sensitive keys at any depth, whatever their value', () => {
    const input = {
      tenantId: 't_1',
      message: {
        id: 'msg_1',
        to: '+14155550123',
        body: 'Your code is 123456',
        meta: { contact: { email: 'jane@example.com', phones: ['+1'], password: { nested: 1 } } },
      },
      headers: { authorization: 'Basic dXNlcjpwYXNz', cookie: 'sid=abc' },
    };
    expect(redact(input)).toEqual({
      tenantId: 't_1',
      message: {
        id: 'msg_1',
        to: REDACTED,
        body: REDACTED,
        meta: { contact: { email: REDACTED, phones: ['+1'], password: REDACTED } },
      },
      headers: { authorization: REDACTED, cookie: REDACTED },
    });
  });

  it('keeps null and undefined under sensitive keys (their absence is worth seeing)', () => {
    expect(redact({ token: null, email: undefined })).toEqual({ token: null, email: undefined });
  });

  it('scrubs string values anywhere, arrays included', () => {
    expect(
      redact({
        note: 'call +14155550123',
        list: ['jane@example.com', 42, true, null, 'plain'],
        deep: [[{ x: `Bearer ${JWT}` }]],
      }),
    ).toEqual({
      note: 'call +******23',
      list: ['***@example.com', 42, true, null, 'plain'],
      deep: [[{ x: 'Bearer [redacted]' }]],
    });
  });

  it('returns what it did not change as is (no needless copies)', () => {
    const clean = { id: 'msg_1', counts: [1, 2, 3], nested: { at: '2024-05-01T12:30:00Z' } };
    expect(redact(clean)).toBe(clean);
    const partly = { keep: { a: 1 }, change: { email: 'x' } };
    const out = redact(partly) as typeof partly;
    expect(out).not.toBe(partly);
    expect(out.keep).toBe(partly.keep);
    expect(partly.change.email).toBe('x'); // the input is never modified
  });

  it('leaves non-PII values alone', () => {
    const values = {
      id: '9b2f1f3e-8c4d-4e5f-9a6b-7c8d9e0f1a2b',
      at: '2024-05-01T12:30:00.000+02:00',
      date: new Date('2024-05-01T00:00:00Z'),
      count: 42,
      status: 404,
      statusCode: 200,
      messageId: 'msg_01HZX3K9Q2V7YB8N4M6P0R5T1W',
      big: 10n,
      ok: false,
    };
    expect(redact(values)).toBe(values);
  });

  it('turns errors into plain objects with scrubbed message, stack and fields', () => {
    const cause = new Error('lookup of jane@example.com failed');
    const error = Object.assign(new TypeError('cannot text +14155550123', { cause }), {
      code: 'CARRIER_REJECTED',
      details: { to: '+14155550123', attempt: 2 },
    });
    const out = redact(error) as Record<string, unknown>;
    expect(out).toMatchObject({
      type: 'TypeError',
      message: 'cannot text +******23',
      code: 'CARRIER_REJECTED',
      details: { to: REDACTED, attempt: 2 },
      cause: { type: 'Error', message: 'lookup of ***@example.com failed' },
    });
    expect(out.stack).toMatch(/^TypeError: cannot text \+\*{6}23\n\s+at /);
    expect(JSON.stringify(out)).not.toMatch(/4155550123|jane@/);
  });

  it('redacts errors nested in objects and the errors of an AggregateError', () => {
    const out = redact({
      err: new AggregateError([new Error('a@b.io')], 'several failed for sbk_secret1'),
    });
    expect(out).toMatchObject({
      err: {
        type: 'AggregateError',
        message: 'several failed for sbk_[redacted]',
        errors: [{ message: '***@b.io' }],
      },
    });
  });

  it('summarises binary data instead of logging it', () => {
    expect(redact({ payload: Buffer.from('+14155550123') })).toEqual({
      payload: '[binary 12 bytes]',
    });
  });

  it('uses toJSON like the serialiser would (URLs with credentials)', () => {
    expect(redact({ url: new URL('https://u:pw@api.example.com/x') })).toEqual({
      url: 'https://u:[redacted]@api.example.com/x',
    });
  });

  it('stops at the depth limit and on cycles', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: 'jane@example.com' } } } } } } };
    expect(JSON.stringify(redact(deep))).toBe('{"a":{"b":{"c":{"d":{"e":{"f":"[too deep]"}}}}}}');
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: 'loop', self: '[circular]' });
    const shared = { id: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { id: 1 }, b: { id: 1 } });
  });

  it('cuts long arrays', () => {
    const out = redact(Array.from({ length: MAX_ARRAY_ITEMS + 5 }, (_, i) => i)) as unknown[];
    expect(out).toHaveLength(MAX_ARRAY_ITEMS + 1);
    expect(out[MAX_ARRAY_ITEMS]).toBe('[5 more items]');
  });

  it('passes primitives through, scrubbing strings', () => {
    expect(redact(42)).toBe(42);
    expect(redact(undefined)).toBeUndefined();
    expect(redact(null)).toBeNull();
    expect(redact('to +14155550123')).toBe('to +******23');
  });
});
