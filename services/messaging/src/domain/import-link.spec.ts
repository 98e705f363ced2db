import { signImportLink, verifyImportLink } from './import-link';

const secret = 'x'.repeat(32);
const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T01:00:00Z');

describe('import links', () => {
  const token = signImportLink(secret, 'upload', 'imp-1', 'org-1', later);

  it('open their own import, for their purpose, until they expire', () => {
    expect(verifyImportLink(secret, 'upload', 'imp-1', token, now)).toEqual({ orgId: 'org-1' });
    expect(verifyImportLink(secret, 'report', 'imp-1', token, now)).toBeUndefined();
    expect(verifyImportLink(secret, 'upload', 'imp-2', token, now)).toBeUndefined();
    expect(verifyImportLink(secret, 'upload', 'imp-1', token, later)).toBeUndefined();
    expect(verifyImportLink('y'.repeat(32), 'upload', 'imp-1', token, now)).toBeUndefined();
  });

  it('refuse a token whose organization was changed', () => {
    const [, signature] = token.split('.');
    const forged = `${Buffer.from(`org-2.${later.getTime() / 1000}`).toString('base64url')}.${signature}`;
    expect(verifyImportLink(secret, 'upload', 'imp-1', forged, now)).toBeUndefined();
    expect(verifyImportLink(secret, 'upload', 'imp-1', 'garbage', now)).toBeUndefined();
  });
});
