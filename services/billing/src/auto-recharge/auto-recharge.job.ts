import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantRepository } from '@switchboard/tenancy';
import { TenantSweepJob } from '../common/tenant-sweep.job';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { AutoRechargeService } from './auto-recharge.service';

/**
 * Sends auto-recharge attempts to Stripe (leader only, `billing:auto-recharge`, every
 * AUTO_RECHARGE_INTERVAL_MS): one off-session PaymentIntent per attempt.
 */
@Injectable()
export class AutoRechargeJob extends TenantSweepJob {
  constructor(
    @Inject(BILLING_CONFIG) config: BillingConfig,
    dataSource: DataSource,
    tenants: TenantRepository,
    private readonly recharges: AutoRechargeService,
  ) {
    const options = {
      name: 'auto-recharge',
      lease: 'auto-recharge',
      intervalMs: config.AUTO_RECHARGE_INTERVAL_MS,
      databaseUrl: config.DATABASE_URL,
    };
    super(options, dataSource, tenants);
  }

  protected async runFor(orgId: string): Promise<number> {
    return (await this.recharges.runPending(orgId)) ? 1 : 0;
  }
}
