import {
  generateOpaqueToken,
  isOpaqueToken,
  OPAQUE_TOKEN_PREFIXES,
  OpaqueTokenPrefix,
} from './opaque-tokens';

describe('opaque tokens', () => {
  it('carries 256 random bits behind a recognizable prefix', () => {
    const token = generateOpaqueToken(OpaqueTokenPrefix.refresh);
    expect(token).toMatch(/^sbr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(generateOpaqueToken(OpaqueTokenPrefix.refresh)).not.toBe(token);
  });

  it('recognizes its own kind only', () => {
    const token = generateOpaqueToken(OpaqueTokenPrefix.apiToken);
    expect(isOpaqueToken(OpaqueTokenPrefix.apiToken, token)).toBe(true);
    expect(isOpaqueToken(OpaqueTokenPrefix.refresh, token)).toBe(false);
    expect(isOpaqueToken(OpaqueTokenPrefix.apiToken, `${token}x`)).toBe(false);
    expect(isOpaqueToken(OpaqueTokenPrefix.apiToken, 'sbk_short')).toBe(false);
    expect(isOpaqueToken(OpaqueTokenPrefix.apiToken, undefined)).toBe(false);
  });

  it('makes recognisable device tokens', () => {
    const token = generateOpaqueToken(OpaqueTokenPrefix.device);
    expect(isOpaqueToken(OpaqueTokenPrefix.device, token)).toBe(true);
    expect(isOpaqueToken(OpaqueTokenPrefix.device, `${token}x`)).toBe(false);
    expect(isOpaqueToken(OpaqueTokenPrefix.device, null)).toBe(false);
  });

  it('registers every prefix once, each `sb` + a letter + `_`', () => {
    expect(new Set(OPAQUE_TOKEN_PREFIXES).size).toBe(OPAQUE_TOKEN_PREFIXES.length);
    for (const prefix of OPAQUE_TOKEN_PREFIXES) expect(prefix).toMatch(/^sb[a-z]_$/);
    expect([...OPAQUE_TOKEN_PREFIXES].sort()).toEqual(
      ['sbd_', 'sbe_', 'sbi_', 'sbk_', 'sbp_', 'sbr_', 'sbs_', 'sbv_'].sort(),
    );
  });
});
