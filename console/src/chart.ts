// The dashboard's plots (inline SVG, no chart library): sends per day by outcome as stacked
// bars, and the delivery rate per day as a line. The counting is the server's
// (`messageStats`): every send of the organization, not a page of messages.

export const CHART_STATUSES = ['DELIVERED', 'SENT', 'PENDING', 'FAILED'] as const;
export type ChartStatus = (typeof CHART_STATUSES)[number];

/** One day of `messageStats`. */
export interface DayStats {
  day: string;
  delivered: number;
  sent: number;
  pending: number;
  failed: number;
  total: number;
  deliveryRate?: number | null;
}

export interface DayBucket {
  /** YYYY-MM-DD (UTC). */
  day: string;
  counts: Record<ChartStatus, number>;
  total: number;
}

/** The bars: each day's counts by outcome, in the chart's stacking order. */
export function dayBuckets(stats: readonly DayStats[]): DayBucket[] {
  return stats.map((s) => ({
    day: s.day,
    counts: { DELIVERED: s.delivered, SENT: s.sent, PENDING: s.pending, FAILED: s.failed },
    total: s.total,
  }));
}

/**
 * The delivery-rate line: one point per day that has a rate (x at the middle of the day's
 * column, y from 100 % at the top to 0 % at `height`); days without a known outcome are gaps.
 */
export function deliveryRatePoints(
  stats: readonly DayStats[],
  columnWidth: number,
  height: number,
): { x: number; y: number; day: string; rate: number }[] {
  return stats.flatMap((s, i) =>
    s.deliveryRate === null || s.deliveryRate === undefined
      ? []
      : [
          {
            x: i * columnWidth + columnWidth / 2,
            y: (1 - s.deliveryRate) * height,
            day: s.day,
            rate: s.deliveryRate,
          },
        ],
  );
}

/** The rate over the whole range: delivered ÷ (delivered + failed); null without outcomes. */
export function overallDeliveryRate(stats: readonly DayStats[]): number | null {
  const delivered = stats.reduce((n, s) => n + s.delivered, 0);
  const failed = stats.reduce((n, s) => n + s.failed, 0);
  return delivered + failed > 0 ? delivered / (delivered + failed) : null;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}
