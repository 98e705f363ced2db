import { signInstallState, verifyInstallState } from './oauth-state';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const now = new Date('2026-11-29T12:00:00Z');
const state = {
  orgId: '0b7c2a54-3f0e-4c1e-9d5a-1f2e3d4c5b6a',
  userId: 'u1',
  expiresAt: new Date('2026-11-29T12:15:00Z'),
};

describe('install state', () => {
  it('round-trips the organization and the installer until it expires', () => {
    const signed = signInstallState(SECRET, state, 'n1');
    expect(verifyInstallState(SECRET, signed, now)).toEqual(state);
    expect(verifyInstallState(SECRET, signed, new Date('2026-11-29T12:15:00Z'))).toBeUndefined();
  });

  it('refuses another key, a changed payload, garbage', () => {
    const signed = signInstallState(SECRET, state, 'n1');
    expect(verifyInstallState(`${SECRET}x`, signed, now)).toBeUndefined();
    const [payload, mac] = signed.split('.');
    const other = Buffer.from(
      `ffffffff-3f0e-4c1e-9d5a-1f2e3d4c5b6a.u1.${Date.parse('2027-01-01') / 1000}.n1`,
    ).toString('base64url');
    expect(verifyInstallState(SECRET, `${other}.${mac}`, now)).toBeUndefined();
    expect(verifyInstallState(SECRET, payload, now)).toBeUndefined();
    expect(verifyInstallState(SECRET, 'a.b.c', now)).toBeUndefined();
  });
});
