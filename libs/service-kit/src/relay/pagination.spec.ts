import { encodeCursor } from './relay-cursor';
import { pageWindow, toPage } from './pagination';

class BadPage extends Error {}

const options = {
  decode: (cursor: string) => (cursor === encodeCursor('n', [7]) ? 7 : undefined),
  invalid: (message: string) => new BadPage(message),
};

describe('pageWindow', () => {
  it('defaults first and decodes after', () => {
    expect(pageWindow({}, options)).toEqual({ limit: 20 });
    expect(pageWindow({ first: null, after: null }, { ...options, defaultSize: 50 })).toEqual({
      limit: 50,
    });
    expect(pageWindow({ first: 3, after: encodeCursor('n', [7]) }, options)).toEqual({
      limit: 3,
      after: 7,
    });
  });

  it.each([[-1], [101], [1.5], [Number.NaN]])(
    'refuses first = %p with the typed error',
    (first) => {
      expect(() => pageWindow({ first }, options)).toThrow(
        new BadPage('first must be between 0 and 100'),
      );
    },
  );

  it('takes the maximum from the options', () => {
    expect(pageWindow({ first: 200 }, { ...options, maxSize: 200 })).toEqual({ limit: 200 });
    expect(() => pageWindow({ first: 201 }, { ...options, maxSize: 200 })).toThrow(
      'first must be between 0 and 200',
    );
  });

  it('refuses a cursor it did not issue', () => {
    expect(() => pageWindow({ after: 'x' }, options)).toThrow(new BadPage('Unknown cursor'));
  });
});

describe('toPage', () => {
  const cursorOf = (n: number) => `c${n}`;

  it('uses the extra row only to say there is a next page', () => {
    expect(toPage([1, 2, 3], 2, false, cursorOf)).toEqual({
      edges: [
        { cursor: 'c1', node: 1 },
        { cursor: 'c2', node: 2 },
      ],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: 'c1', endCursor: 'c2' },
    });
  });

  it('answers an empty page after a cursor', () => {
    expect(toPage([], 5, true, cursorOf).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });
  });
});
