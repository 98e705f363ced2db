import { appPriority, handoutPriority } from './handout-priority';

describe('handoutPriority', () => {
  it('ranks by message priority first, then retries', () => {
    expect(handoutPriority(50, 1)).toBeGreaterThan(handoutPriority(10, 5));
    expect(handoutPriority(10, 2)).toBeGreaterThan(handoutPriority(10, 1));
    expect(handoutPriority(90, 1)).toBeGreaterThan(handoutPriority(50, 100));
  });

  it('reads an unset priority as 50 and clamps out-of-range values', () => {
    expect(handoutPriority(undefined, 1)).toBe(handoutPriority(50, 1));
    expect(handoutPriority(1000, 1)).toBe(handoutPriority(100, 1));
    expect(handoutPriority(-5, 1)).toBe(handoutPriority(0, 1));
  });

  it('keeps the app’s priority below 100', () => {
    expect(appPriority(1)).toBe(0);
    expect(appPriority(500)).toBe(99);
  });
});
