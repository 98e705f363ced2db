/**
 * Quiet hours: may a message reach its recipient now, in the recipient's local time, and if
 * not, when does the window open? Pure (the time zone rules come from the runtime's ICU data
 * through `Intl`); no I/O.
 *
 * A recipient is described by a list of `LocalWindowRule`s, every one of which must hold: one
 * per time zone the number may be in (a NANP area code spanning two zones gives two: the
 * message is allowed only when it is inside the window in EVERY candidate zone — the
 * conservative reading of TCPA's "the called party's location"), plus, with state rules on,
 * the stricter window of the recipient's state.
 */

/** Minutes after local midnight; `end` is exclusive. start > end crosses midnight; start = end: always open. */
export interface DailyWindow {
  startMinute: number;
  endMinute: number;
}

/** A window in one time zone, optionally different on some weekdays (0 = Sunday … 6 = Saturday). */
export interface LocalWindowRule {
  /** IANA time zone, e.g. "America/Chicago". */
  zone: string;
  window: DailyWindow;
  byWeekday?: Partial<Record<number, DailyWindow>>;
}

export const MINUTES_PER_DAY = 1440;

/** The default window of the platform (SPEC §4): 08:00–21:00. */
export const DEFAULT_QUIET_HOURS_WINDOW: DailyWindow = { startMinute: 480, endMinute: 1260 };

/**
 * Stricter US state windows (recipient's local time), applied when an organization turns state
 * rules on: Florida (FTSA, Fla. Stat. 501.059), Oklahoma (Telephone Solicitation Act 2022) and
 * Maryland (Stop the Spam Calls Act 2023) allow 08:00–20:00; Texas (Bus. & Com. Code 301.051)
 * 09:00–21:00 Monday to Saturday and 12:00–21:00 on Sunday. Keys: USPS codes.
 */
export const US_STATE_WINDOWS: Readonly<
  Record<string, { window: DailyWindow; byWeekday?: Partial<Record<number, DailyWindow>> }>
> = {
  FL: { window: { startMinute: 480, endMinute: 1200 } },
  OK: { window: { startMinute: 480, endMinute: 1200 } },
  MD: { window: { startMinute: 480, endMinute: 1200 } },
  TX: {
    window: { startMinute: 540, endMinute: 1260 },
    byWeekday: { 0: { startMinute: 720, endMinute: 1260 } },
  },
};

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes after local midnight. */
  minute: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows the IANA zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `zone` at `at`. */
export function localTime(zone: string, at: Date): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterOf(zone).formatToParts(at)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday],
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether `minute` (after local midnight) is inside the window. */
export function isInsideWindow(window: DailyWindow, minute: number): boolean {
  const { startMinute: start, endMinute: end } = window;
  if (start === end) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function windowOn(rule: LocalWindowRule, weekday: number): DailyWindow {
  return rule.byWeekday?.[weekday] ?? rule.window;
}

/** Whether every rule allows a message at `at`. */
export function isAllowedAt(rules: readonly LocalWindowRule[], at: Date): boolean {
  return rules.every((rule) => {
    const local = localTime(rule.zone, at);
    const window = windowOn(rule, local.weekday);
    // A window crossing midnight that opened yesterday belongs to yesterday's weekday rule;
    // weekday-specific windows (state rules) never cross midnight, so today's is the one.
    return isInsideWindow(window, local.minute);
  });
}

const MINUTE_MS = 60_000;

/** Minutes east of UTC of `zone` at `at`. */
function offsetMinutes(zone: string, at: Date): number {
  const local = localTime(zone, at);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day) + local.minute * MINUTE_MS;
  const floored = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
  return Math.round((asUtc - floored) / MINUTE_MS);
}

const sameWallTime = (zone: string, at: Date, y: number, m: number, d: number, minute: number) => {
  const local = localTime(zone, at);
  return local.year === y && local.month === m && local.day === d && local.minute === minute;
};

/**
 * The first instant at which the wall clock in `zone` shows (y-m-d, minute) or later on that
 * date: the instant itself, both instants in a repeated hour (autumn), or the end of a skipped
 * hour (spring) when that time does not exist.
 */
export function instantsOfLocalTime(
  zone: string,
  y: number,
  m: number,
  d: number,
  minute: number,
): Date[] {
  const wall = Date.UTC(y, m - 1, d) + minute * MINUTE_MS;
  const before = offsetMinutes(zone, new Date(wall - 36 * 3_600_000));
  const after = offsetMinutes(zone, new Date(wall + 36 * 3_600_000));
  const candidates = [...new Set([before, after])].map((o) => new Date(wall - o * MINUTE_MS));
  const exact = candidates.filter((c) => sameWallTime(zone, c, y, m, d, minute));
  if (exact.length > 0) return exact.sort((a, b) => a.getTime() - b.getTime());
  // A skipped wall time: the clock jumps over it; the first minute after the jump.
  let low = Math.min(...candidates.map((c) => c.getTime()));
  let high = Math.max(...candidates.map((c) => c.getTime()));
  const reached = (t: number) => {
    const local = localTime(zone, new Date(t));
    return Date.UTC(local.year, local.month - 1, local.day) + local.minute * MINUTE_MS >= wall;
  };
  while (high - low > MINUTE_MS) {
    const mid = Math.floor((low + high) / 2 / MINUTE_MS) * MINUTE_MS;
    if (reached(mid)) high = mid;
    else low = mid;
  }
  return [new Date(high)];
}

/**
 * The earliest instant at or after `at` when every rule allows a message (`at` itself when it
 * is allowed), searched over `horizonDays`; null when the windows never meet in that time
 * (e.g. zones too far apart for a narrow window). The answer is minute-exact: the allowed
 * times are an intersection of half-open windows, so the first is `at` or one window's opening.
 */
export function nextAllowedAt(
  rules: readonly LocalWindowRule[],
  at: Date,
  horizonDays = 8,
): Date | null {
  if (isAllowedAt(rules, at)) return at;
  const openings: number[] = [];
  for (const rule of rules) {
    const today = localTime(rule.zone, at);
    for (let i = -1; i <= horizonDays; i++) {
      const date = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
      const window = windowOn(rule, date.getUTCDay());
      if (window.startMinute === window.endMinute) continue;
      for (const instant of instantsOfLocalTime(
        rule.zone,
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        window.startMinute,
      )) {
        if (instant.getTime() > at.getTime()) openings.push(instant.getTime());
      }
    }
  }
  const horizon = at.getTime() + horizonDays * 86_400_000;
  for (const t of [...new Set(openings)].sort((a, b) => a - b)) {
    if (t > horizon) break;
    if (isAllowedAt(rules, new Date(t))) return new Date(t);
  }
  return null;
}

/**
 * The rules for a recipient: `window` in each of its candidate `zones`, and its state's window
 * too when `stateCode` has one (US_STATE_WINDOWS), in each zone.
 */
export function recipientWindowRules(
  zones: readonly string[],
  window: DailyWindow,
  stateCode?: string | null,
): LocalWindowRule[] {
  const state = stateCode ? US_STATE_WINDOWS[stateCode] : undefined;
  return zones.flatMap((zone) => [
    { zone, window },
    ...(state ? [{ zone, window: state.window, byWeekday: state.byWeekday }] : []),
  ]);
}
