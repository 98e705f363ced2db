/**
 * Billing periods are calendar months in UTC, named `YYYY-MM`: usage, the plan's allowance and
 * the quota all count per period; a plan change waiting for the boundary takes effect at the
 * next period's start.
 */
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function periodOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** The period's first instant and the next period's (exclusive end). */
export function periodBounds(period: string): { start: Date; end: Date } {
  const match = PERIOD.exec(period);
  if (!match) throw new Error(`not a period: ${period}`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}
