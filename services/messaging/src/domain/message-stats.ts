/**
 * Sends per day by outcome, for the console's charts (pure): the statuses of outbound
 * messages grouped into delivered, sent (no receipt yet), pending (not sent yet) and failed
 * (failed, rejected, expired); canceled messages are not sends. The delivery rate of a day is
 * delivered ÷ (delivered + failed): of the sends whose outcome is known, how many arrived.
 */
export interface DayStats {
  /** YYYY-MM-DD (UTC). */
  day: string;
  delivered: number;
  sent: number;
  pending: number;
  failed: number;
  total: number;
  /** null when no send of that day has a known outcome. */
  deliveryRate: number | null;
}

export type StatsOutcome = 'delivered' | 'sent' | 'pending' | 'failed';

export function outcomeOf(status: string): StatsOutcome | null {
  switch (status) {
    case 'DELIVERED':
      return 'delivered';
    case 'SENT':
      return 'sent';
    case 'QUEUED':
    case 'SCHEDULED':
    case 'DISPATCHED':
      return 'pending';
    case 'FAILED':
    case 'REJECTED':
    case 'EXPIRED':
      return 'failed';
    default:
      return null;
  }
}

/** Most days one request may ask for. */
export const MAX_STATS_DAYS = 90;

/**
 * The last `days` UTC days up to `now` (oldest first, every day present, zeros included) from
 * counts per (day, status).
 */
export function dailyStats(
  counts: readonly { day: string; status: string; count: number }[],
  now: Date,
  days: number,
): DayStats[] {
  const result: DayStats[] = [];
  const byDay = new Map<string, DayStats>();
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    const stats: DayStats = {
      day,
      delivered: 0,
      sent: 0,
      pending: 0,
      failed: 0,
      total: 0,
      deliveryRate: null,
    };
    result.push(stats);
    byDay.set(day, stats);
  }
  for (const { day, status, count } of counts) {
    const stats = byDay.get(day);
    const outcome = outcomeOf(status);
    if (!stats || !outcome) continue;
    stats[outcome] += count;
    stats.total += count;
  }
  for (const stats of result) {
    const known = stats.delivered + stats.failed;
    stats.deliveryRate = known > 0 ? stats.delivered / known : null;
  }
  return result;
}

/** The first instant of the oldest of the last `days` UTC days up to `now`. */
export function statsSince(now: Date, days: number): Date {
  const since = new Date(now.getTime() - (days - 1) * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  return since;
}
