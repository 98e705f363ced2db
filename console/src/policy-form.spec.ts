import { minutesToTime, policyFieldErrors, timeToMinutes } from './policy-form';

describe('the compliance settings form', () => {
  it('shows minutes after midnight as a time and reads them back', () => {
    expect(minutesToTime(480)).toBe('08:00');
    expect(minutesToTime(1259)).toBe('20:59');
    expect(minutesToTime(1440)).toBe('24:00');
    expect(timeToMinutes('08:00')).toBe(480);
    expect(timeToMinutes('9:30')).toBe(570);
    expect(timeToMinutes('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '12:60', 'noon', '', '12'])
      expect(timeToMinutes(bad)).toBeNull();
  });

  it('puts each problem of an INVALID_POLICY answer next to its field', () => {
    expect(
      policyFieldErrors(
        'bodyRetentionDays must be an integer from 1 to 90; windowEndMinute must be after windowStartMinute (the window is within a day); something else went wrong',
      ),
    ).toEqual({
      bodyRetentionDays: 'bodyRetentionDays must be an integer from 1 to 90',
      windowEndMinute:
        'windowEndMinute must be after windowStartMinute (the window is within a day)',
      form: 'something else went wrong',
    });
  });
});
