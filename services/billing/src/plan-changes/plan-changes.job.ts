import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { TenantRepository } from '@switchboard/tenancy';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { PlanChangesService } from './plan-changes.service';

/**
 * Applies pending plan changes whose period boundary has come (leader only,
 * `billing:plan-changes`, every PLAN_CHANGE_INTERVAL_MS). A run that fails for one organization
 * (Stripe unavailable) leaves its change pending for the next run.
 */
@Injectable()
export class PlanChangesJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  constructor(
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly changes: PlanChangesService,
  ) {}

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(PlanChangesJob.name);
    this.job = new PeriodicJob({
      name: 'plan changes',
      intervalMs: this.config.PLAN_CHANGE_INTERVAL_MS,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'billing:plan-changes',
        logger,
      }),
      logger,
      run: async () => {
        await this.runOnce();
        return false;
      },
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass over every organization; the changes applied. */
  async runOnce(): Promise<number> {
    let applied = 0;
    for (const { id: orgId } of await this.tenants.all(this.dataSource)) {
      if (await this.changes.applyDue(orgId)) applied += 1;
    }
    return applied;
  }
}
