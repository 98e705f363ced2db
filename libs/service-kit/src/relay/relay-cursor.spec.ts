import {
  decodeCursor,
  decodeKeysetCursor,
  encodeCursor,
  encodeKeysetCursor,
  SEQUENCE_PART,
} from './relay-cursor';

const id = '0b8f6a0e-2f4e-4d8e-9d7a-3c1b2a4f5e6d';
const forged = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('relay cursors', () => {
  it('round-trips the parts of a kind', () => {
    const cursor = encodeCursor('audit', [42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('audit', cursor, [SEQUENCE_PART])).toEqual(['42']);
  });

  it.each([
    ['nothing', ''],
    ['garbage', 'not a cursor!'],
    ['another kind', encodeCursor('message', [5])],
    ['another version', forged('audit:v2:5')],
    ['too few parts', forged('audit:v1')],
    ['too many parts', forged('audit:v1:5:6')],
    ['a part off its pattern', forged('audit:v1:0')],
    ['an overlong input', 'a'.repeat(300)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCursor('audit', cursor, [SEQUENCE_PART])).toBeUndefined();
  });
});

describe('keyset cursors', () => {
  it('round-trips (micros, id) and lower-cases the id', () => {
    const cursor = encodeKeysetCursor('message', { micros: '1893456000123456', id });
    expect(decodeKeysetCursor('message', cursor)).toEqual({ micros: '1893456000123456', id });
    const upper = encodeKeysetCursor('message', { micros: '-1', id: id.toUpperCase() });
    expect(decodeKeysetCursor('message', upper)).toEqual({ micros: '-1', id });
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another kind', encodeKeysetCursor('conversation', { micros: '1', id })],
    ['a bad id', forged('message:v1:1:nope')],
    ['a bad time', forged(`message:v1:1e9:${id}`)],
    ['another version', forged(`message:v2:1:${id}`)],
    ['an overlong input', 'a'.repeat(300)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeKeysetCursor('message', cursor)).toBeUndefined();
  });
});
