import { Clock, SystemClock } from './clock';

describe('Clock', () => {
  it('SystemClock tells the real time and is a Clock (the Nest token)', () => {
    const clock: Clock = new SystemClock();
    expect(clock).toBeInstanceOf(Clock);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });
});
