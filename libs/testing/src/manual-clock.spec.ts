import { Clock } from '@switchboard/service-kit';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('is a Clock, on real time until moved', () => {
    const clock = new ManualClock();
    expect(clock).toBeInstanceOf(Clock);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });

  it('sets, advances and resets, and time goes on from there', async () => {
    const clock = new ManualClock();
    clock.set(new Date('2030-01-01T00:00:00Z'));
    const set = clock.now().getTime();
    expect(Math.abs(set - Date.parse('2030-01-01T00:00:00Z'))).toBeLessThan(50);
    clock.advance(60_000);
    expect(clock.now().getTime() - set).toBeGreaterThanOrEqual(60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().getTime() - set).toBeGreaterThanOrEqual(60_015);
    clock.reset();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });
});
