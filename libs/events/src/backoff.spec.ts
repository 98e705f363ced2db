import { backoffDelay, definedOnly } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });
});

describe('definedOnly', () => {
  it('drops undefined options so defaults survive a spread', () => {
    const options: { maxAttempts?: number; groupId: string } = {
      maxAttempts: undefined,
      groupId: 'g',
    };
    const defaults = { maxAttempts: 5 };
    expect({ ...defaults, ...definedOnly(options) }).toEqual({ maxAttempts: 5, groupId: 'g' });
  });
});
