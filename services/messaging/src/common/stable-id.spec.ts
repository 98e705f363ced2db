import { stableUuid } from './stable-id';

describe('stableUuid', () => {
  it('is deterministic, distinct per parts, and a v8 UUID', () => {
    const a = stableUuid('dispatch', 'm1', 1);
    expect(a).toBe(stableUuid('dispatch', 'm1', 1));
    expect(a).not.toBe(stableUuid('dispatch', 'm1', 2));
    expect(stableUuid('a', 'bc')).not.toBe(stableUuid('ab', 'c'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
