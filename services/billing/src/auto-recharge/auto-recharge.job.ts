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
import { AutoRechargeService } from './auto-recharge.service';

/**
 * Sends auto-recharge attempts to Stripe (leader only, `billing:auto-recharge`, every
 * AUTO_RECHARGE_INTERVAL_MS): one off-session PaymentIntent per attempt.
 */
@Injectable()
export class AutoRechargeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  constructor(
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly recharges: AutoRechargeService,
  ) {}

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(AutoRechargeJob.name);
    this.job = new PeriodicJob({
      name: 'auto-recharge',
      intervalMs: this.config.AUTO_RECHARGE_INTERVAL_MS,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'billing:auto-recharge',
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

  /** One pass over every organization; the attempts settled. */
  async runOnce(): Promise<number> {
    let settled = 0;
    for (const { id: orgId } of await this.tenants.all(this.dataSource)) {
      if (await this.recharges.runPending(orgId)) settled += 1;
    }
    return settled;
  }
}
