import { timeZonesOfNumber, usStateOfNumber } from './number-location';

describe('timeZonesOfNumber (libphonenumber prefix data)', () => {
  it.each([
    ['+14155550123', ['America/Los_Angeles']],
    ['+12125550123', ['America/New_York']],
    ['+13125550123', ['America/Chicago']],
    ['+18085550123', ['Pacific/Honolulu']],
    ['+61412345678', ['Australia/Sydney']],
    ['+79161234567', ['Europe/Moscow']],
  ])('%s → %o', (number, zones) => {
    expect(timeZonesOfNumber(number)).toEqual(zones);
  });

  it('an area code spanning two zones gives both', () => {
    // 605: South Dakota, Central and Mountain.
    expect(timeZonesOfNumber('+16055550123').sort()).toEqual([
      'America/Denver',
      'America/North_Dakota/Center',
    ]);
  });

  it('nothing for what is not a number', () => {
    expect(timeZonesOfNumber('hello')).toEqual([]);
    expect(timeZonesOfNumber('')).toEqual([]);
  });
});

describe('usStateOfNumber', () => {
  it.each([
    ['+13055550123', 'FL'],
    ['+14055550123', 'OK'],
    ['+14105550123', 'MD'],
    ['+12145550123', 'TX'],
    ['+14155550123', 'CA'],
    ['+14165550123', null], // Toronto
    ['+447911123456', null],
  ])('%s → %s', (number, state) => {
    expect(usStateOfNumber(number)).toBe(state);
  });
});
