import { createHmac } from 'node:crypto';
import { signLink, verifySignedLink } from './signed-link';

const secret = 'a'.repeat(32);
const orgId = '7d1c9a52-55a3-4c9e-9d5e-0d6f1f0e2b11';
const subject = '2b0f7a8e-0c5d-4f31-8a47-1e9c3a6b5d22';
const purpose = 'switchboard-test';
const now = new Date('2026-11-29T12:00:00Z');
const later = new Date('2026-11-30T12:00:00Z');
const sign = (over: Partial<Parameters<typeof signLink>[1]> = {}) =>
  signLink(secret, { purpose, subject, orgId, expiresAt: later, ...over });

describe('signed links', () => {
  it('verifies its own token until it expires, whole seconds', () => {
    const token = sign({ expiresAt: new Date(later.getTime() + 999) });
    expect(verifySignedLink(secret, purpose, subject, token, now)).toEqual({
      orgId,
      expiresAt: later,
    });
    expect(verifySignedLink(secret, purpose, subject, token, later)).toBeUndefined();
  });

  it('is <base64url(orgId.exp)>.<base64url HMAC-SHA256 of purpose:subject:orgId:exp>', () => {
    const exp = later.getTime() / 1000;
    const mac = createHmac('sha256', secret)
      .update(`${purpose}:${subject}:${orgId}:${exp}`)
      .digest('base64url');
    expect(sign()).toBe(`${Buffer.from(`${orgId}.${exp}`).toString('base64url')}.${mac}`);
  });

  it('never opens another purpose or subject, nor under another key', () => {
    const token = sign();
    expect(verifySignedLink(secret, 'switchboard-other', subject, token, now)).toBeUndefined();
    expect(verifySignedLink(secret, purpose, 'other', token, now)).toBeUndefined();
    expect(verifySignedLink('b'.repeat(32), purpose, subject, token, now)).toBeUndefined();
  });

  it('refuses a changed organization or expiry, and garbage', () => {
    const [, mac] = sign().split('.');
    const exp = later.getTime() / 1000;
    const forged = `${Buffer.from(`00000000-0000-0000-0000-000000000000.${exp}`).toString('base64url')}.${mac}`;
    expect(verifySignedLink(secret, purpose, subject, forged, now)).toBeUndefined();
    const extended = `${Buffer.from(`${orgId}.9999999999`).toString('base64url')}.${mac}`;
    expect(verifySignedLink(secret, purpose, subject, extended, now)).toBeUndefined();
    for (const bad of ['', 'x', 'a.b.c', '.', 'x'.repeat(400), undefined, 42, ['a', 'b']]) {
      expect(verifySignedLink(secret, purpose, subject, bad, now)).toBeUndefined();
    }
  });
});
