import { isKnownCountry, matchesMaskedNumber, normalizePhoneNumber } from './phone-number';

describe('normalizePhoneNumber', () => {
  it.each([
    ['+14155550123', 'US', '+14155550123'],
    ['(415) 555-0123', 'US', '+14155550123'],
    ['415.555.0123', 'US', '+14155550123'],
    [' +1 415 555 0123 ', 'DE', '+14155550123'],
    ['07911 123456', 'GB', '+447911123456'],
    ['+44 7911 123456', 'US', '+447911123456'],
    ['030 123456', 'DE', '+4930123456'],
    ['0612345678', 'FR', '+33612345678'],
    ['(11) 91234-5678', 'BR', '+5511912345678'],
    ['0532 123 45 67', 'TR', '+905321234567'],
    ['912 345 678', 'PT', '+351912345678'],
    ['4155550123', 'us', '+14155550123'],
  ])('%j in %s → %s', (input, country, e164) => {
    expect(normalizePhoneNumber(input, country)).toMatchObject({ ok: true, e164 });
  });

  it.each([
    ['', 'US'],
    ['   ', 'US'],
    ['hello', 'US'],
    ['12345', 'US'],
    ['+1415555012', 'US'],
    ['415 555 0123', 'GB'],
    ['4155550123', 'ZZ'],
    ['+14155550123 ext. 12', 'US'],
    ['1-800-FLOWERS', 'US'],
    ['+'.padEnd(60, '1'), 'US'],
  ])('%j in %s is refused', (input, country) => {
    expect(normalizePhoneNumber(input, country).ok).toBe(false);
  });

  it('knows countries', () => {
    expect(isKnownCountry('US')).toBe(true);
    expect(isKnownCountry('pt')).toBe(true);
    expect(isKnownCountry('ZZ')).toBe(false);
  });
});

describe('matchesMaskedNumber', () => {
  it('matches the visible digits and the length', () => {
    expect(matchesMaskedNumber('+14155550123', '+1******0123')).toBe(true);
    expect(matchesMaskedNumber('+14155550124', '+1******0123')).toBe(false);
    expect(matchesMaskedNumber('+441555550123', '+1******0123')).toBe(false);
    expect(matchesMaskedNumber('+14155550123', '')).toBe(false);
  });
});
