import { randomBytes } from 'node:crypto';
import { SecretKeyring, secretKeyringFromConfig } from './secret-keyring';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('SecretKeyring', () => {
  it('opens what it sealed, bound to the associated data', () => {
    const ring = new SecretKeyring({ k1 }, 'k1');
    const sealed = ring.seal('auth-token-123', 'carrier_accounts:abc:auth_token');
    expect(sealed).not.toContain('auth-token-123');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(ring.open(sealed, 'carrier_accounts:abc:auth_token')).toBe('auth-token-123');
    expect(() => ring.open(sealed, 'carrier_accounts:other:auth_token')).toThrow();
  });

  it('seals the same value differently each time', () => {
    const ring = new SecretKeyring({ k1 }, 'k1');
    expect(ring.seal('x', 'a')).not.toBe(ring.seal('x', 'a'));
  });

  it('refuses an altered ciphertext', () => {
    const ring = new SecretKeyring({ k1 }, 'k1');
    const parts = ring.seal('secret value', 'a').split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => ring.open(parts.join('.'), 'a')).toThrow();
  });

  it('rotates: old values open with the key they name, new ones use the current key', () => {
    const old = new SecretKeyring({ k1 }, 'k1');
    const sealedOld = old.seal('v', 'a');
    const rotated = new SecretKeyring({ k1, k2 }, 'k2');
    expect(rotated.open(sealedOld, 'a')).toBe('v');
    expect(rotated.isStale(sealedOld)).toBe(true);
    const sealedNew = rotated.seal('v', 'a');
    expect(rotated.keyIdOf(sealedNew)).toBe('k2');
    expect(rotated.isStale(sealedNew)).toBe(false);
    expect(() => old.open(sealedNew, 'a')).toThrow(/unknown key id "k2"/);
  });

  it('refuses malformed values and bad rings', () => {
    const ring = new SecretKeyring({ k1 }, 'k1');
    expect(() => ring.open('plain text', 'a')).toThrow(/not a sealed secret/);
    expect(() => new SecretKeyring({ k1: randomBytes(16) }, 'k1')).toThrow(/32 bytes/);
    expect(() => new SecretKeyring({ k1 }, 'k9')).toThrow(/current id/);
    expect(() => new SecretKeyring({ 'bad.id': k1 }, 'bad.id')).toThrow(/must match/);
  });
});

describe('secretKeyringFromConfig', () => {
  const list = `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`;

  it('builds the ring from SECRET_KEYS, the first key current unless SECRET_KEY_ID says', () => {
    expect(secretKeyringFromConfig({ SECRET_KEYS: list }, 's').keyring?.currentKeyId).toBe('k1');
    const chosen = secretKeyringFromConfig({ SECRET_KEYS: list, SECRET_KEY_ID: 'k2' }, 's');
    expect(chosen.keyring?.currentKeyId).toBe('k2');
  });

  it('requires SECRET_KEYS in production and names an unknown current id', () => {
    expect(secretKeyringFromConfig({}, 's').problems).toEqual([
      'SECRET_KEYS is required in production',
    ]);
    expect(
      secretKeyringFromConfig({ SECRET_KEYS: list, SECRET_KEY_ID: 'k3' }, 's').problems,
    ).toEqual(['SECRET_KEY_ID "k3" is not one of SECRET_KEYS']);
  });

  it('stands in a per-service development key in development and test mode', () => {
    const a = secretKeyringFromConfig({ NODE_ENV: 'test' }, 'messaging').keyring!;
    const b = secretKeyringFromConfig({ NODE_ENV: 'test' }, 'ghl-sync').keyring!;
    expect(a.currentKeyId).toBe('dev');
    expect(() => b.open(a.seal('x', 'ad'), 'ad')).toThrow();
  });
});
