import { chartStatusOf, sendsPerDay } from './chart';

describe('sendsPerDay', () => {
  const now = new Date('2026-03-10T15:00:00Z');

  it('buckets outbound messages of the last 7 days by day and status, oldest first', () => {
    const days = sendsPerDay(
      [
        { status: 'DELIVERED', direction: 'OUTBOUND', createdAt: '2026-03-10T01:00:00Z' },
        { status: 'QUEUED', direction: 'OUTBOUND', createdAt: '2026-03-10T02:00:00Z' },
        { status: 'REJECTED', direction: 'OUTBOUND', createdAt: '2026-03-09T23:59:59Z' },
        { status: 'SENT', direction: 'OUTBOUND', createdAt: '2026-03-04T00:00:00Z' },
        // Not counted: inbound, canceled, older than the window.
        { status: 'RECEIVED', direction: 'INBOUND', createdAt: '2026-03-10T03:00:00Z' },
        { status: 'CANCELED', direction: 'OUTBOUND', createdAt: '2026-03-10T03:00:00Z' },
        { status: 'DELIVERED', direction: 'OUTBOUND', createdAt: '2026-03-03T23:00:00Z' },
      ],
      now,
    );
    expect(days.map((d) => d.day)).toEqual([
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(days[6]).toEqual({
      day: '2026-03-10',
      counts: { DELIVERED: 1, SENT: 0, PENDING: 1, FAILED: 0 },
      total: 2,
    });
    expect(days[5].counts.FAILED).toBe(1);
    expect(days[0].counts.SENT).toBe(1);
    expect(days.reduce((sum, d) => sum + d.total, 0)).toBe(4);
  });

  it('maps every status to a chart bucket or to none', () => {
    expect(['QUEUED', 'SCHEDULED', 'DISPATCHED'].map(chartStatusOf)).toEqual([
      'PENDING',
      'PENDING',
      'PENDING',
    ]);
    expect(['FAILED', 'REJECTED', 'EXPIRED'].map(chartStatusOf)).toEqual([
      'FAILED',
      'FAILED',
      'FAILED',
    ]);
    expect([chartStatusOf('RECEIVED'), chartStatusOf('CANCELED')]).toEqual([null, null]);
  });
});
