import { signDownloadToken, verifyDownloadToken } from './download-token';

const secret = 'a'.repeat(32);
const org = '7d1c9a52-55a3-4c9e-9d5e-0d6f1f0e2b11';
const id = '2b0f7a8e-0c5d-4f31-8a47-1e9c3a6b5d22';
const now = new Date('2026-11-29T12:00:00Z');
const later = new Date('2026-11-30T12:00:00Z');

describe('download tokens', () => {
  it('verifies its own token until it expires', () => {
    const token = signDownloadToken(secret, id, org, later);
    expect(verifyDownloadToken(secret, id, token, now)).toEqual({ orgId: org, expiresAt: later });
    expect(verifyDownloadToken(secret, id, token, later)).toBeUndefined();
  });

  it('refuses another request, another key, a changed organization or garbage', () => {
    const token = signDownloadToken(secret, id, org, later);
    expect(verifyDownloadToken(secret, 'other', token, now)).toBeUndefined();
    expect(verifyDownloadToken('b'.repeat(32), id, token, now)).toBeUndefined();
    const [, mac] = token.split('.');
    const forged = `${Buffer.from(`00000000-0000-0000-0000-000000000000.${Math.floor(later.getTime() / 1000)}`).toString('base64url')}.${mac}`;
    expect(verifyDownloadToken(secret, id, forged, now)).toBeUndefined();
    const extended = `${Buffer.from(`${org}.9999999999`).toString('base64url')}.${mac}`;
    expect(verifyDownloadToken(secret, id, extended, now)).toBeUndefined();
    for (const bad of ['', 'x', 'a.b.c', '.', 'x'.repeat(400)]) {
      expect(verifyDownloadToken(secret, id, bad, now)).toBeUndefined();
    }
  });
});
