import { Clock } from '@switchboard/service-kit';

/**
 * A clock for tests: real time plus an offset they set or advance, so time still passes
 * between steps (as timestamps written by the database do). Give it to createServiceApp
 * (`clock`) or to a service spec in place of SystemClock.
 */
export class ManualClock extends Clock {
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
