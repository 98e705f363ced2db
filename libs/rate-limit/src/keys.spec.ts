import { rateLimitHash, rateLimitKeys } from './keys';

describe('rateLimitKeys', () => {
  it('names plain keys by kind', () => {
    expect(rateLimitKeys.ip('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(rateLimitKeys.user('u1')).toBe('user:u1');
    expect(rateLimitKeys.org('o1')).toBe('org:o1');
  });

  it('hashes what must not be stored, deterministically', () => {
    const key = rateLimitKeys.hashed('email', 'ada@example.com');
    expect(key).toMatch(/^email:[0-9a-f]{64}$/);
    expect(key).not.toContain('ada');
    expect(rateLimitKeys.hashed('email', 'ada@example.com')).toBe(key);
    expect(rateLimitKeys.hashed('email', 'bob@example.com')).not.toBe(key);
    expect(rateLimitKeys.hashed('token', 'ada@example.com')).not.toBe(key);
    expect(rateLimitHash('x')).toHaveLength(64);
  });
});
