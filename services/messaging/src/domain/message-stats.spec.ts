import { dailyStats, outcomeOf, statsSince } from './message-stats';

describe('message stats', () => {
  const now = new Date('2026-11-29T15:00:00Z');

  it('groups statuses into outcomes; canceled and inbound statuses are not sends', () => {
    expect(['DELIVERED', 'SENT', 'QUEUED', 'SCHEDULED', 'DISPATCHED'].map(outcomeOf)).toEqual([
      'delivered',
      'sent',
      'pending',
      'pending',
      'pending',
    ]);
    expect(['FAILED', 'REJECTED', 'EXPIRED'].map(outcomeOf)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    expect(outcomeOf('CANCELED')).toBeNull();
    expect(outcomeOf('RECEIVED')).toBeNull();
  });

  it('gives every day of the range, oldest first, with its delivery rate', () => {
    const days = dailyStats(
      [
        { day: '2026-11-29', status: 'DELIVERED', count: 3 },
        { day: '2026-11-29', status: 'REJECTED', count: 1 },
        { day: '2026-11-29', status: 'QUEUED', count: 2 },
        { day: '2026-11-28', status: 'SENT', count: 5 },
        { day: '2026-11-28', status: 'CANCELED', count: 9 },
        // Outside the range: ignored.
        { day: '2026-11-20', status: 'DELIVERED', count: 7 },
      ],
      now,
      3,
    );
    expect(days.map((d) => d.day)).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    expect(days[0]).toMatchObject({ total: 0, deliveryRate: null });
    // Sent without a receipt: no known outcome yet.
    expect(days[1]).toMatchObject({ sent: 5, total: 5, deliveryRate: null });
    expect(days[2]).toMatchObject({
      delivered: 3,
      failed: 1,
      pending: 2,
      total: 6,
      deliveryRate: 0.75,
    });
  });

  it('starts the range at midnight UTC of its oldest day', () => {
    expect(statsSince(now, 7).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(statsSince(now, 1).toISOString()).toBe('2026-11-29T00:00:00.000Z');
  });
});
