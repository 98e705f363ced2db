import { maxAgeOf, openIdConfiguration, publicJwks } from './jwks-publisher';

describe('the published JWKS', () => {
  it('keeps public key members only and drops symmetric keys', () => {
    expect(
      publicJwks({
        keys: [
          {
            kty: 'RSA',
            kid: 'a',
            alg: 'RS256',
            use: 'sig',
            n: 'N',
            e: 'AQAB',
            d: 'private',
            p: 'P',
          },
          { kty: 'oct', kid: 'h', k: 'shared-secret' },
          'junk',
        ],
      }),
    ).toEqual({ keys: [{ kty: 'RSA', kid: 'a', alg: 'RS256', use: 'sig', n: 'N', e: 'AQAB' }] });
    expect(() => publicJwks({ nope: [] })).toThrow(/keys/);
  });

  it('reads max-age from Cache-Control', () => {
    expect(maxAgeOf('public, max-age=300, stale-while-revalidate=60')).toBe(300);
    expect(maxAgeOf('no-store')).toBe(0);
    expect(maxAgeOf('public')).toBeUndefined();
    expect(maxAgeOf(null)).toBeUndefined();
  });

  it('is discovered at the public origin', () => {
    expect(openIdConfiguration('urn:switchboard:accounts', 'https://api.example.com/')).toEqual({
      issuer: 'urn:switchboard:accounts',
      jwks_uri: 'https://api.example.com/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
    });
  });
});
