import { definedOnly } from './backoff';
import { silentJobLogger, type JobLogger, type LeaderLease } from './leader-lease';

export interface PeriodicJobOptions {
  /** For logs, e.g. `fleet sweeper`. */
  name: string;
  /** Wait between the end of one run and the start of the next (no jitter). */
  intervalMs: number;
  /** One run. Resolving `true` says more work is waiting: the next run starts at once. */
  run: () => Promise<boolean | void>;
  /** Only the holder of this lease runs; the others try to take it every interval. */
  lease?: LeaderLease;
  /** Delay before the first run (default 0: at start). */
  initialDelayMs?: number;
  /** Wait after the n-th failed run in a row (default: the interval). */
  retryDelayMs?: (failures: number) => number;
  logger?: JobLogger;
}

/**
 * Runs a job every interval until stopped: never two runs at once (the next wait starts when a
 * run ends), errors logged and the job retried (after `retryDelayMs`), `wake()` to run early,
 * and, with a lease, only on the leader replica. `stop()` waits for the run in progress and
 * releases the lease.
 */
export class PeriodicJob {
  private active = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private readonly o: Required<Omit<PeriodicJobOptions, 'lease'>> &
    Pick<PeriodicJobOptions, 'lease'>;

  constructor(options: PeriodicJobOptions) {
    this.o = {
      initialDelayMs: 0,
      retryDelayMs: () => options.intervalMs,
      logger: silentJobLogger,
      ...definedOnly(options),
    };
  }

  get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.runLoop();
  }

  /** Ends the current wait: the next run starts now (or right after the one in progress). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the run in progress; releases the lease. */
  async stop(): Promise<void> {
    this.active = false;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
    await this.o.lease?.release();
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    if (this.o.initialDelayMs > 0) await this.wait(this.o.initialDelayMs);
    while (this.active) {
      let again = false;
      try {
        if (!this.o.lease || (await this.o.lease.acquire())) again = (await this.o.run()) === true;
        failures = 0;
      } catch (error) {
        failures++;
        this.o.logger.warn(`${this.o.name} failed, will retry`, {
          error: (error as Error).message,
          failures,
        });
        await this.wait(this.o.retryDelayMs(failures));
        continue;
      }
      if (!again) await this.wait(this.o.intervalMs);
    }
  }

  private wait(ms: number): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.(); // a background job alone does not keep the process alive
      this.wakeUp = done;
    });
  }
}
