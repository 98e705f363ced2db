import { dayBuckets, deliveryRatePoints, overallDeliveryRate, percent } from './chart';

const stats = [
  { day: '2026-03-08', delivered: 0, sent: 0, pending: 0, failed: 0, total: 0, deliveryRate: null },
  { day: '2026-03-09', delivered: 3, sent: 1, pending: 0, failed: 1, total: 5, deliveryRate: 0.75 },
  { day: '2026-03-10', delivered: 2, sent: 0, pending: 4, failed: 0, total: 6, deliveryRate: 1 },
];

describe('dashboard charts', () => {
  it('stacks each day’s outcomes as the server counted them', () => {
    expect(dayBuckets(stats)[1]).toEqual({
      day: '2026-03-09',
      counts: { DELIVERED: 3, SENT: 1, PENDING: 0, FAILED: 1 },
      total: 5,
    });
  });

  it('draws the delivery rate through the days that have one (a gap otherwise)', () => {
    expect(deliveryRatePoints(stats, 40, 100)).toEqual([
      { x: 60, y: 25, day: '2026-03-09', rate: 0.75 },
      { x: 100, y: 0, day: '2026-03-10', rate: 1 },
    ]);
  });

  it('gives the rate of the whole range, or none without outcomes', () => {
    expect(overallDeliveryRate(stats)).toBeCloseTo(5 / 6);
    expect(overallDeliveryRate(stats.slice(0, 1))).toBeNull();
    expect(percent(5 / 6)).toBe('83.3 %');
  });
});
