import { decodeCursor, encodeCursor } from './cursor';

const id = '0b8f6a0e-2f4e-4d8e-9d7a-3c1b2a4f5e6d';

describe('keyset cursors', () => {
  it('round-trips', () => {
    const cursor = encodeCursor('message', { micros: '1893456000123456', id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('message', cursor)).toEqual({ micros: '1893456000123456', id });
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another kind', encodeCursor('conversation', { micros: '1', id })],
    ['a bad id', Buffer.from(`message:v1:1:nope`).toString('base64url')],
    ['a bad time', Buffer.from(`message:v1:1e9:${id}`).toString('base64url')],
    ['another version', Buffer.from(`message:v2:1:${id}`).toString('base64url')],
    ['an overlong input', 'a'.repeat(300)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCursor('message', cursor)).toBeUndefined();
  });
});
