import { decodeSuppressionCursor, encodeSuppressionCursor } from './suppression-cursor';

describe('suppression cursors', () => {
  const position = { micros: '1764428400123456', phoneNumber: '+14155550123' };

  it('round-trips a position, per list', () => {
    const cursor = encodeSuppressionCursor('optedOut', position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSuppressionCursor('optedOut', cursor)).toEqual(position);
    expect(decodeSuppressionCursor('consent', cursor)).toBeUndefined();
  });

  it('refuses what it did not issue', () => {
    const forged = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    for (const cursor of [
      '',
      'not base64!',
      forged('optedOut:v2:1:+14155550123'),
      forged('optedOut:v1:abc:+14155550123'),
      forged("optedOut:v1:1:'; DROP TABLE suppressions; --"),
      forged('optedOut:v1:1'),
      'A'.repeat(300),
    ]) {
      expect(decodeSuppressionCursor('optedOut', cursor)).toBeUndefined();
    }
  });
});
