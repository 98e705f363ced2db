import {
  dailyUsage,
  DAY_MS,
  nextFitAt,
  planHandout,
  windowUsage,
  type Handout,
  type Queued,
} from './pacing';

const MIN = 60_000;
const rules = { rate: 30, windowMs: MIN, dailyLimit: null };
const q = (id: string, segments = 1, simNumber: number | null = null): Queued => ({
  id,
  segments,
  simNumber,
});
const h = (at: number, segments: number, simNumber: number | null = null): Handout => ({
  at,
  segments,
  simNumber,
});

describe('windowUsage', () => {
  it('counts only handouts inside the rolling window', () => {
    const now = 10 * MIN;
    expect(windowUsage([h(now - MIN, 5), h(now - MIN + 1, 3), h(now, 2)], now, MIN)).toBe(5);
  });
});

describe('dailyUsage', () => {
  it('sums per SIM over 24 hours, the phone-chosen SIM as 0', () => {
    const now = 2 * DAY_MS;
    const used = dailyUsage([h(now - DAY_MS, 9, 1), h(now - 10, 2, 1), h(now - 5, 4, null)], now);
    expect(used.get(1)).toBe(2);
    expect(used.get(0)).toBe(4);
  });
});

describe('planHandout', () => {
  const now = 100 * MIN;

  it('hands out a fresh device its full budget and no more', () => {
    const queue = Array.from({ length: 40 }, (_, i) => q(`m${i}`));
    const plan = planHandout(queue, [], now, rules);
    expect(plan.handOut).toHaveLength(30);
    expect(plan.remaining).toBe(0);
    expect(plan.nextAt).toBe(now + MIN);
  });

  it('counts multipart messages by segment', () => {
    const plan = planHandout([q('a', 20), q('b', 9), q('c', 2)], [], now, rules);
    expect(plan.handOut).toEqual(['a', 'b']);
    expect(plan.remaining).toBe(1);
  });

  it('subtracts what was handed out in the window', () => {
    const recent = [h(now - 30_000, 25)];
    const plan = planHandout([q('a', 3), q('b', 3)], recent, now, rules);
    expect(plan.handOut).toEqual(['a']);
    // 'b' fits once the 25 segments from 30 s ago leave the window.
    expect(plan.nextAt).toBe(now - 30_000 + MIN);
  });

  it('keeps queue order: a smaller message does not overtake one that does not fit', () => {
    const plan = planHandout([q('big', 10), q('small', 1)], [h(now - 1000, 25)], now, rules);
    expect(plan.handOut).toEqual([]);
    expect(plan.nextAt).toBe(now - 1000 + MIN);
  });

  it('skips messages of a SIM at its daily cap without blocking other SIMs', () => {
    const recent = [h(now - 2 * MIN, 10, 1)];
    const plan = planHandout([q('s1', 1, 1), q('s2', 1, 2)], recent, now, {
      ...rules,
      dailyLimit: 10,
    });
    expect(plan.handOut).toEqual(['s2']);
    expect(plan.nextAt).toBeNull();
  });

  it('never exceeds the rate over any simulated hour of pulls', () => {
    // A pull every 7 s for an hour, the queue always full of 1–4 segment messages.
    let recent: Handout[] = [];
    let n = 0;
    for (let t = 0; t < 60 * MIN; t += 7_000) {
      const queue = Array.from({ length: 20 }, () => q(`m${n++}`, 1 + (n % 4)));
      const plan = planHandout(queue, recent, t, rules);
      const bySize = new Map(queue.map((m) => [m.id, m.segments]));
      recent = recent.concat(plan.handOut.map((id) => h(t, bySize.get(id)!)));
      // The window's load peaks right after a handout: checking there covers every instant.
      expect(windowUsage(recent, t, MIN)).toBeLessThanOrEqual(30);
    }
    expect(recent.length).toBeGreaterThan(0);
  });
});

describe('nextFitAt', () => {
  it('is now when the window has room', () => {
    expect(nextFitAt([h(0, 5)], 5, 1000, rules)).toBe(1000);
  });

  it('waits for as many old handouts to expire as needed', () => {
    const recent = [h(1000, 10), h(2000, 10), h(3000, 10)];
    expect(nextFitAt(recent, 15, 4000, rules)).toBe(2000 + MIN);
  });

  it('is null for a message larger than the rate', () => {
    expect(nextFitAt([], 31, 0, rules)).toBeNull();
  });
});
