import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantRepository } from '@switchboard/tenancy';
import { TenantSweepJob } from '../common/tenant-sweep.job';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { PlanChangesService } from './plan-changes.service';

/**
 * Applies pending plan changes whose period boundary has come (leader only,
 * `billing:plan-changes`, every PLAN_CHANGE_INTERVAL_MS). A run that fails for one organization
 * (Stripe unavailable) leaves its change pending for the next run.
 */
@Injectable()
export class PlanChangesJob extends TenantSweepJob {
  constructor(
    @Inject(BILLING_CONFIG) config: BillingConfig,
    dataSource: DataSource,
    tenants: TenantRepository,
    private readonly changes: PlanChangesService,
  ) {
    const options = {
      name: 'plan changes',
      lease: 'plan-changes',
      intervalMs: config.PLAN_CHANGE_INTERVAL_MS,
      databaseUrl: config.DATABASE_URL,
    };
    super(options, dataSource, tenants);
  }

  protected async runFor(orgId: string): Promise<number> {
    return (await this.changes.applyDue(orgId)) ? 1 : 0;
  }
}
