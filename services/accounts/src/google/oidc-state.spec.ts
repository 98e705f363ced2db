import { randomBytes } from 'node:crypto';
import { OidcStateSealer } from './oidc-state';

describe('OIDC state', () => {
  const key = randomBytes(32).toString('base64');
  const sealer = new OidcStateSealer(key);
  const now = new Date('2030-01-01T00:00:00Z');

  it('round-trips nonce and verifier until it expires', () => {
    const { state, payload } = sealer.create(now, 600);
    expect(sealer.open(state, now)).toEqual(payload);
    expect(sealer.open(state, new Date(now.getTime() + 601_000))).toBeUndefined();
  });

  it('refuses tampered states and states of another key', () => {
    const { state } = sealer.create(now);
    const bytes = Buffer.from(state, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(sealer.open(bytes.toString('base64url'), now)).toBeUndefined();
    expect(
      new OidcStateSealer(randomBytes(32).toString('base64')).open(state, now),
    ).toBeUndefined();
    expect(sealer.open('garbage', now)).toBeUndefined();
  });

  it('does not reveal the verifier in the state', () => {
    const { state, payload } = sealer.create(now);
    expect(state).not.toContain(payload.codeVerifier);
    expect(Buffer.from(state, 'base64url').toString('utf8')).not.toContain(payload.nonce);
  });
});
