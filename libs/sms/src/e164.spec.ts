import { isE164 } from './e164';

describe('isE164', () => {
  it.each(['+14155550123', '+447700900123', '+6834002', '+123456', '+123456789012345'])(
    'accepts %s',
    (value) => expect(isE164(value)).toBe(true),
  );

  it.each([
    ['no plus', '14155550123'],
    ['a country code starting with 0', '+04155550123'],
    ['more than 15 digits', '+1234567890123456'],
    ['fewer than 6 digits', '+12345'],
    ['spaces', '+1 415 555 0123'],
    ['dashes', '+1-415-555-0123'],
    ['letters', '+1415555CALL'],
    ['a trailing newline', '+14155550123\n'],
    ['empty', ''],
  ])('refuses %s', (_, value) => expect(isE164(value)).toBe(false));

  it('refuses what is not a string', () => {
    expect(isE164(undefined)).toBe(false);
    expect(isE164(null)).toBe(false);
  });
});
