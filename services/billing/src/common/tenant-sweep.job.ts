import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import type { TenantRepository } from '@switchboard/tenancy';

/** What a sweep is: its name, its lease (`billing:<lease>`), how often it runs. */
export interface TenantSweepOptions {
  name: string;
  lease: string;
  intervalMs: number;
  databaseUrl: string;
  /** Run again at once when a pass did at least this much (a backlog); default: never. */
  backlogAt?: number;
}

/**
 * A billing job that visits every organization billing knows, on the leader replica only
 * (a PeriodicJob under a LeaderLease): `runFor(orgId)` does one organization's share in its own
 * transactions and says how much it did; `runOnce()` is one pass (tests call it directly).
 */
export abstract class TenantSweepJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  protected constructor(
    private readonly options: TenantSweepOptions,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
  ) {}

  /** One organization's share of a pass: how many things it did (0: nothing). */
  protected abstract runFor(orgId: string): Promise<number>;

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(this.constructor.name);
    this.job = new PeriodicJob({
      name: this.options.name,
      intervalMs: this.options.intervalMs,
      lease: new LeaderLease({
        connectionString: this.options.databaseUrl,
        name: `billing:${this.options.lease}`,
        logger,
      }),
      logger,
      run: async () => {
        const done = await this.runOnce();
        return this.options.backlogAt !== undefined && done >= this.options.backlogAt;
      },
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass over every organization; how much it did. */
  async runOnce(): Promise<number> {
    let done = 0;
    for (const { id: orgId } of await this.tenants.all(this.dataSource)) {
      done += await this.runFor(orgId);
    }
    return done;
  }
}
