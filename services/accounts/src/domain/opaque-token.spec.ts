import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import { displayPrefix, hashToken, safeEqual } from './opaque-token';

describe('opaque tokens', () => {
  it('stores a SHA-256 that does not contain the secret', () => {
    const token = generateOpaqueToken(OpaqueTokenPrefix.apiToken);
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashToken(token));
    expect(hash).not.toContain(token.slice(4, 12));
  });

  it('shows a prefix that identifies but cannot be used', () => {
    expect(displayPrefix('sbk_AbCdEfGh123456')).toBe('sbk_AbCdEfGh');
  });

  it('compares secrets in constant time', () => {
    expect(safeEqual('a-secret', 'a-secret')).toBe(true);
    expect(safeEqual('a-secret', 'b-secret')).toBe(false);
    expect(safeEqual('a', 'a-much-longer-secret')).toBe(false);
  });
});
