import { matchesSegment, segmentDelta, segmentFilterProblem } from './segment';

describe('segments', () => {
  it('match when every key of the filter has its value', () => {
    expect(matchesSegment({ city: 'SF' }, { city: 'SF', tier: 'gold' })).toBe(true);
    expect(matchesSegment({ city: 'SF', tier: 'gold' }, { city: 'SF' })).toBe(false);
    expect(matchesSegment({ city: 'SF' }, null)).toBe(false);
  });

  it('count a write as +1, -1 or 0', () => {
    expect(segmentDelta({ city: 'SF' }, null, { city: 'SF' })).toBe(1);
    expect(segmentDelta({ city: 'SF' }, { city: 'SF' }, { city: 'LA' })).toBe(-1);
    expect(segmentDelta({ city: 'SF' }, { city: 'SF' }, { city: 'SF', x: '1' })).toBe(0);
    expect(segmentDelta({ city: 'SF' }, { city: 'SF' }, null)).toBe(-1);
  });

  it('need 1 to 10 keys', () => {
    expect(segmentFilterProblem({})).toBeDefined();
    expect(segmentFilterProblem({ a: '1' })).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(segmentFilterProblem(many)).toBeDefined();
  });
});
