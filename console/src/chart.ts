// Sends per day by status: buckets for the dashboard's inline SVG bar chart (no chart library).

export const CHART_STATUSES = ['DELIVERED', 'SENT', 'PENDING', 'FAILED'] as const;
export type ChartStatus = (typeof CHART_STATUSES)[number];

export interface DayBucket {
  /** YYYY-MM-DD (UTC). */
  day: string;
  counts: Record<ChartStatus, number>;
  total: number;
}

export function chartStatusOf(status: string): ChartStatus | null {
  switch (status) {
    case 'DELIVERED':
      return 'DELIVERED';
    case 'SENT':
      return 'SENT';
    case 'QUEUED':
    case 'SCHEDULED':
    case 'DISPATCHED':
      return 'PENDING';
    case 'FAILED':
    case 'REJECTED':
    case 'EXPIRED':
      return 'FAILED';
    default:
      return null; // RECEIVED (inbound), CANCELED: not sends
  }
}

/** The last `days` days up to `now` (oldest first), each with its outbound counts by status. */
export function sendsPerDay(
  messages: readonly { status: string; direction: string; createdAt: string }[],
  now: Date,
  days = 7,
): DayBucket[] {
  const buckets: DayBucket[] = [];
  const index = new Map<string, DayBucket>();
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    const bucket: DayBucket = {
      day,
      counts: { DELIVERED: 0, SENT: 0, PENDING: 0, FAILED: 0 },
      total: 0,
    };
    buckets.push(bucket);
    index.set(day, bucket);
  }
  for (const message of messages) {
    if (message.direction !== 'OUTBOUND') continue;
    const status = chartStatusOf(message.status);
    const bucket = index.get(message.createdAt.slice(0, 10));
    if (!status || !bucket) continue;
    bucket.counts[status]++;
    bucket.total++;
  }
  return buckets;
}
