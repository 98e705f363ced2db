/**
 * The time, behind an injectable (CONVENTIONS: inject the clock). An abstract class, so it is
 * its own Nest token: `constructor(private readonly clock: Clock)`. createServiceApp provides
 * SystemClock unless given another; specs use ManualClock from @switchboard/testing.
 */
export abstract class Clock {
  abstract now(): Date;
}

/** The real time. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
