import { decodeRetentionCursor, encodeRetentionCursor } from './retention-cursor';

describe('retention cursors', () => {
  it('round-trips the keyset', () => {
    const cursor = {
      finishedAt: new Date('2026-11-29T10:00:00.123Z'),
      id: '0b7c3b1e-64a1-4c7e-9a53-0f5a2c1d9e11',
    };
    expect(decodeRetentionCursor(encodeRetentionCursor(cursor))).toEqual(cursor);
  });

  it.each([
    '',
    'x',
    'not base64!',
    Buffer.from('audit:v1:3').toString('base64url'),
    Buffer.from('retention:v1:12:not-a-uuid').toString('base64url'),
    'a'.repeat(300),
  ])('refuses %p', (value) => expect(decodeRetentionCursor(value)).toBeUndefined());
});
