import { formatKeyValues, parseKeyValues, uploadPercent } from './bulk';

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

describe('formatKeyValues', () => {
  it('writes sorted key=value lines that parse back without splitting at commas', () => {
    const text = formatKeyValues({ tier: 'gold', city: 'Berlin, Mitte', n: 3 });
    expect(text).toBe('city=Berlin, Mitte\nn=3\ntier=gold');
    expect(parseKeyValues(text, { commas: false })).toEqual({
      city: 'Berlin, Mitte',
      n: '3',
      tier: 'gold',
    });
    // Without commas: false the comma would split the value.
    expect(() => parseKeyValues(text)).toThrow('"Mitte" is not attribute=value');
  });
  it('is empty for no attributes', () => {
    expect(formatKeyValues({})).toBe('');
    expect(parseKeyValues('', { commas: false })).toEqual({});
  });
});

describe('uploadPercent', () => {
  it('is whole percent, clamped, and 100 for an empty file', () => {
    expect(uploadPercent(1, 3)).toBe(33);
    expect(uploadPercent(5, 3)).toBe(100);
    expect(uploadPercent(0, 0)).toBe(100);
  });
});
