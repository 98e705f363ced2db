import { parseKeyValues, uploadPercent } from './bulk';

describe('parseKeyValues', () => {
  it('reads lines and comma-separated pairs, trimming', () => {
    expect(parseKeyValues(' city = Berlin \n\ntier=gold, lang=de')).toEqual({
      city: 'Berlin',
      tier: 'gold',
      lang: 'de',
    });
  });
  it('keeps = inside a value and allows an empty value', () => {
    expect(parseKeyValues('q=a=b\nempty=')).toEqual({ q: 'a=b', empty: '' });
  });
  it('refuses a pair without a key', () => {
    expect(() => parseKeyValues('=x')).toThrow('"=x" is not attribute=value');
    expect(() => parseKeyValues('city')).toThrow('not attribute=value');
  });
});

describe('uploadPercent', () => {
  it('is whole percent, clamped, and 100 for an empty file', () => {
    expect(uploadPercent(1, 3)).toBe(33);
    expect(uploadPercent(5, 3)).toBe(100);
    expect(uploadPercent(0, 0)).toBe(100);
  });
});
