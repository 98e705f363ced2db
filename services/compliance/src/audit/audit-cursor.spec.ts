import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

describe('audit cursors', () => {
  it('round-trips a sequence', () => {
    for (const n of [1, 42, 9_007_199_254_740_991]) {
      expect(decodeAuditCursor(encodeAuditCursor(n))).toBe(n);
    }
  });

  it.each([
    '',
    'not a cursor!',
    Buffer.from('audit:v2:5').toString('base64url'),
    Buffer.from('message:v1:5').toString('base64url'),
    Buffer.from('audit:v1:0').toString('base64url'),
    Buffer.from('audit:v1:-3').toString('base64url'),
    Buffer.from('audit:v1:1e3').toString('base64url'),
    Buffer.from('audit:v1:99999999999999999').toString('base64url'),
    'a'.repeat(200),
  ])('refuses %p', (cursor) => {
    expect(decodeAuditCursor(cursor)).toBeUndefined();
  });
});
