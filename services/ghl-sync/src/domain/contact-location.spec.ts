import { e164OrUndefined, locationForNumber } from './contact-location';

describe('the location of a number', () => {
  it('is the last writer while installed, else the first installed location', () => {
    expect(locationForNumber(['l1', 'l2'], 'l2')).toBe('l2');
    expect(locationForNumber(['l1', 'l2'], 'gone')).toBe('l1');
    expect(locationForNumber(['l1'], undefined)).toBe('l1');
    expect(locationForNumber([], 'l1')).toBeUndefined();
  });

  it('takes GHL phones only in E.164', () => {
    expect(e164OrUndefined('+1 (415) 555-0100')).toBe('+14155550100');
    expect(e164OrUndefined('4155550100')).toBeUndefined();
    expect(e164OrUndefined(undefined)).toBeUndefined();
  });
});
