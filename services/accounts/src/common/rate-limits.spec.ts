import { rateLimitKey, refuseRateLimited } from './rate-limits';

describe('rate limit keys', () => {
  const orgA = '0b6f1f9e-8c1a-4d3e-9f8e-1a2b3c4d5e6f';
  const orgB = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

  it('hold a SHA-256 of the email, never the address, the same however it is typed', () => {
    const key = rateLimitKey.email('Ada@Example.com');
    expect(key).toMatch(/^email:[0-9a-f]{64}$/);
    expect(key).not.toContain('ada');
    expect(rateLimitKey.email(' ada@example.com ')).toBe(key);
    expect(rateLimitKey.email('bob@example.com')).not.toBe(key);
  });

  it('tell an invited email apart per organization', () => {
    const a = rateLimitKey.orgEmail(orgA, 'ada@example.com');
    expect(a).toMatch(new RegExp(`^org:${orgA}:email:[0-9a-f]{64}$`));
    expect(a).not.toContain('@');
    expect(rateLimitKey.orgEmail(orgB, 'ada@example.com')).not.toBe(a);
    expect(rateLimitKey.org(orgA)).toBe(`org:${orgA}`);
    expect(rateLimitKey.ip('203.0.113.7')).toBe('ip:203.0.113.7');
  });
});

describe('rate limit refusals', () => {
  it('keep TOO_MANY_ATTEMPTS for the mail limits and say RATE_LIMITED for the others', () => {
    expect(refuseRateLimited(7, 'signUp')).toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      retryAfterSeconds: 7,
    });
    expect(refuseRateLimited(9, 'changePassword')).toMatchObject({
      code: 'RATE_LIMITED',
      kind: 'RATE_LIMITED',
      retryAfterSeconds: 9,
    });
  });
});
