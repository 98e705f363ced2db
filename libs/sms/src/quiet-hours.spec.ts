import fc from 'fast-check';
import {
  DEFAULT_QUIET_HOURS_WINDOW,
  instantsOfLocalTime,
  isAllowedAt,
  isInsideWindow,
  localTime,
  nextAllowedAt,
  recipientWindowRules,
  type DailyWindow,
  type LocalWindowRule,
} from './quiet-hours';

const NY = 'America/New_York';
const LA = 'America/Los_Angeles';
const day = DEFAULT_QUIET_HOURS_WINDOW; // 08:00–21:00

describe('isInsideWindow', () => {
  it.each([
    [day, 479, false],
    [day, 480, true],
    [day, 1259, true],
    [day, 1260, false], // the end is exclusive
    [{ startMinute: 1320, endMinute: 360 }, 1319, false], // 22:00–06:00 crosses midnight
    [{ startMinute: 1320, endMinute: 360 }, 1320, true],
    [{ startMinute: 1320, endMinute: 360 }, 0, true],
    [{ startMinute: 1320, endMinute: 360 }, 359, true],
    [{ startMinute: 1320, endMinute: 360 }, 360, false],
    [{ startMinute: 600, endMinute: 600 }, 0, true], // start = end: always open
  ])('%o at minute %d → %s', (window, minute, inside) => {
    expect(isInsideWindow(window as DailyWindow, minute)).toBe(inside);
  });
});

describe('localTime', () => {
  it('reads the wall clock and weekday of a zone, across DST', () => {
    expect(localTime(NY, new Date('2030-01-15T12:30:00Z'))).toEqual({
      year: 2030,
      month: 1,
      day: 15,
      weekday: 2,
      minute: 7 * 60 + 30,
    });
    expect(localTime(NY, new Date('2030-07-15T12:30:00Z')).minute).toBe(8 * 60 + 30);
  });
});

describe('instantsOfLocalTime', () => {
  it('finds a normal wall time', () => {
    expect(instantsOfLocalTime(NY, 2030, 1, 15, 480)).toEqual([new Date('2030-01-15T13:00:00Z')]);
  });
  it('a skipped wall time (spring forward, 02:30 does not exist) opens when the clock jumps', () => {
    // 2030-03-10: New York jumps from 02:00 EST to 03:00 EDT at 07:00Z.
    expect(instantsOfLocalTime(NY, 2030, 3, 10, 150)).toEqual([new Date('2030-03-10T07:00:00Z')]);
  });
  it('a repeated wall time (fall back, 01:30 happens twice) gives both instants', () => {
    expect(instantsOfLocalTime(NY, 2030, 11, 3, 90)).toEqual([
      new Date('2030-11-03T05:30:00Z'),
      new Date('2030-11-03T06:30:00Z'),
    ]);
  });
});

describe('nextAllowedAt', () => {
  const rules = (zone: string, window = day) => [{ zone, window }];

  it('is now inside the window, the next opening outside it', () => {
    const inside = new Date('2030-01-15T15:00:00Z'); // 10:00 in New York
    expect(nextAllowedAt(rules(NY), inside)).toBe(inside);
    const night = new Date('2030-01-15T03:00:00Z'); // 22:00 the evening before
    expect(nextAllowedAt(rules(NY), night)).toEqual(new Date('2030-01-15T13:00:00Z'));
    const beforeEight = new Date('2030-01-15T12:59:59Z');
    expect(nextAllowedAt(rules(NY), beforeEight)).toEqual(new Date('2030-01-15T13:00:00Z'));
  });

  it('the window boundaries: 08:00 is inside, 21:00 is not', () => {
    expect(isAllowedAt(rules(NY), new Date('2030-01-15T13:00:00Z'))).toBe(true);
    expect(isAllowedAt(rules(NY), new Date('2030-01-15T12:59:00Z'))).toBe(false);
    expect(isAllowedAt(rules(NY), new Date('2030-01-16T01:59:00Z'))).toBe(true);
    expect(isAllowedAt(rules(NY), new Date('2030-01-16T02:00:00Z'))).toBe(false);
  });

  it('a number in two zones is allowed only inside the window in both (the conservative rule)', () => {
    const both = recipientWindowRules([NY, 'America/Chicago'], day);
    // 08:30 in New York is 07:30 in Chicago: not yet; the window opens at 08:00 Chicago.
    const at = new Date('2030-01-15T13:30:00Z');
    expect(isAllowedAt(both, at)).toBe(false);
    expect(nextAllowedAt(both, at)).toEqual(new Date('2030-01-15T14:00:00Z'));
    // 20:30 in Chicago is 21:30 in New York: closed.
    expect(isAllowedAt(both, new Date('2030-01-16T02:30:00Z'))).toBe(false);
  });

  it('a window crossing midnight', () => {
    const night = rules(LA, { startMinute: 1320, endMinute: 360 });
    // 12:00 in Los Angeles → opens at 22:00.
    expect(nextAllowedAt(night, new Date('2030-01-15T20:00:00Z'))).toEqual(
      new Date('2030-01-16T06:00:00Z'),
    );
    expect(isAllowedAt(night, new Date('2030-01-16T13:59:00Z'))).toBe(true); // 05:59
  });

  it('across a DST change: the window opens at local 08:00 on both sides', () => {
    // Saturday 2030-03-09 22:00 EST → Sunday 08:00 EDT = 12:00Z (not 13:00Z).
    expect(nextAllowedAt(rules(NY), new Date('2030-03-10T03:00:00Z'))).toEqual(
      new Date('2030-03-10T12:00:00Z'),
    );
    // Autumn: Sunday 2030-11-03 08:00 EST = 13:00Z.
    expect(nextAllowedAt(rules(NY), new Date('2030-11-03T02:00:00Z'))).toEqual(
      new Date('2030-11-03T13:00:00Z'),
    );
  });

  it('state rules: Florida closes at 20:00, Texas opens at noon on Sunday', () => {
    const florida = recipientWindowRules([NY], day, 'FL');
    expect(isAllowedAt(florida, new Date('2030-01-16T00:59:00Z'))).toBe(true); // 19:59
    expect(isAllowedAt(florida, new Date('2030-01-16T01:00:00Z'))).toBe(false); // 20:00
    const texas = recipientWindowRules(['America/Chicago'], day, 'TX');
    // Sunday 2030-01-13 10:00 CST: closed until 12:00; Monday 08:30: closed until 09:00.
    expect(nextAllowedAt(texas, new Date('2030-01-13T16:00:00Z'))).toEqual(
      new Date('2030-01-13T18:00:00Z'),
    );
    expect(nextAllowedAt(texas, new Date('2030-01-14T14:30:00Z'))).toEqual(
      new Date('2030-01-14T15:00:00Z'),
    );
  });

  it('null when the windows of the zones never meet', () => {
    const apart = recipientWindowRules(['Pacific/Kiritimati', 'Pacific/Pago_Pago'], {
      startMinute: 600,
      endMinute: 660,
    });
    expect(nextAllowedAt(apart, new Date('2030-01-15T00:00:00Z'))).toBeNull();
  });
});

describe('nextAllowedAt, property', () => {
  const zones = Intl.supportedValuesOf('timeZone');
  const zone = fc.constantFrom(...zones);
  const minute = fc.integer({ min: 0, max: 1439 });
  const window = fc
    .tuple(minute, minute)
    .map(([startMinute, endMinute]): DailyWindow => ({ startMinute, endMinute }));
  // Whole minutes from 2000 to 2040, DST changes of every zone included.
  const instant = fc
    .integer({ min: 946_684_800_000 / 60_000, max: 2_208_988_800_000 / 60_000 })
    .map((m) => new Date(m * 60_000 + 30_000));
  const rule: fc.Arbitrary<LocalWindowRule> = fc.record({ zone, window });

  it('answers an allowed instant, and no minute between now and it is allowed', () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), instant, (rules, at) => {
        const next = nextAllowedAt(rules, at, 3);
        if (next === null) {
          // Nothing in the horizon: sample it.
          for (let t = at.getTime(); t < at.getTime() + 3 * 86_400_000; t += 15 * 60_000) {
            if (isAllowedAt(rules, new Date(t))) return false;
          }
          return true;
        }
        if (!isAllowedAt(rules, next) || next.getTime() < at.getTime()) return false;
        // Every whole minute before it is closed (checked at a 1-minute step near the answer,
        // 15 minutes elsewhere: windows open on whole minutes).
        const start = Math.ceil(at.getTime() / 60_000) * 60_000;
        for (let t = start; t < next.getTime(); t += 60_000) {
          if (next.getTime() - t > 20 * 60_000 && (t - start) % (15 * 60_000) !== 0) continue;
          if (isAllowedAt(rules, new Date(t))) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('one zone and the default window: the answer is at most a night away, at 08:00 local or now', () => {
    fc.assert(
      fc.property(zone, instant, (z, at) => {
        const next = nextAllowedAt([{ zone: z, window: day }], at);
        if (next === null) return false;
        if (next === at) return isInsideWindow(day, localTime(z, at).minute);
        const local = localTime(z, next);
        // 08:00, or the first minute after a DST jump over 08:00 (a few zones jump at 08:00).
        return (
          next.getTime() - at.getTime() <= 26 * 3_600_000 &&
          local.minute >= 480 &&
          local.minute < 480 + 120
        );
      }),
      { numRuns: 500 },
    );
  });
});
