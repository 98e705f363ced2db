/** The time, injectable so tests can move it (purges, expiries). */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock for tests: real time plus an offset they set or advance, so time still passes
 * between steps (as timestamps written by the database do).
 */
export class ManualClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** From now on, the time is `date` (and goes on from there). */
  set(date: Date): void {
    this.offsetMs = date.getTime() - Date.now();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }
}
