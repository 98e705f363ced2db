import {
  displayPrefix,
  generateToken,
  hashToken,
  isTokenOf,
  safeEqual,
  TokenKind,
} from './opaque-token';

describe('opaque tokens', () => {
  it('carries 256 random bits behind a recognizable prefix', () => {
    const token = generateToken(TokenKind.refresh);
    expect(token).toMatch(/^sbr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(generateToken(TokenKind.refresh)).not.toBe(token);
  });

  it('recognizes its own kind only', () => {
    const token = generateToken(TokenKind.apiToken);
    expect(isTokenOf(TokenKind.apiToken, token)).toBe(true);
    expect(isTokenOf(TokenKind.refresh, token)).toBe(false);
    expect(isTokenOf(TokenKind.apiToken, `${token}x`)).toBe(false);
    expect(isTokenOf(TokenKind.apiToken, 'sbk_short')).toBe(false);
    expect(isTokenOf(TokenKind.apiToken, undefined)).toBe(false);
  });

  it('stores a SHA-256 that does not contain the secret', () => {
    const token = generateToken(TokenKind.apiToken);
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
