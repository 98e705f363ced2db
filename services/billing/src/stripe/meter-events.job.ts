import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { TenantSweepJob } from '../common/tenant-sweep.job';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { MeterEventsRepository } from '../metering/meter-events.repository';
import { PlanRepository } from '../plans/plan.repository';
import { StripeClient } from './stripe.client';

const BATCH = 100;

/**
 * Reports subscription overage to Stripe's metered billing (meter events), per organization,
 * the leader replica only (`billing:stripe-meter-events`). Identifier `message:<id>`: a report
 * repeated after a crash (Stripe accepted it, the mark did not commit) is counted once by Stripe.
 */
@Injectable()
export class MeterEventsJob extends TenantSweepJob {
  constructor(
    @Inject(BILLING_CONFIG) config: BillingConfig,
    private readonly db: DataSource,
    tenants: TenantRepository,
    private readonly plans: PlanRepository,
    private readonly events: MeterEventsRepository,
    private readonly stripe: StripeClient,
    private readonly clock: Clock,
  ) {
    const options = {
      name: 'stripe meter events',
      lease: 'stripe-meter-events',
      intervalMs: config.STRIPE_METER_INTERVAL_MS,
      databaseUrl: config.DATABASE_URL,
      backlogAt: BATCH,
    };
    super(options, db, tenants);
  }

  /** The organization's pending events (a batch); how many were reported. */
  protected runFor(orgId: string): Promise<number> {
    return inTenantTransaction(this.db, orgId, async (tx) => {
      const pending = await this.events.pending(tx, orgId, BATCH);
      if (pending.length === 0) return 0;
      const customerId = (await this.plans.findOrganizationPlan(tx, orgId))?.stripeCustomerId;
      if (!customerId) return 0;
      for (const event of pending) {
        await this.stripe.reportUsage({
          customerId,
          value: event.value,
          identifier: `message:${event.messageId}`,
          at: event.occurredAt,
        });
        await this.events.markReported(tx, orgId, event.messageId, this.clock.now());
      }
      return pending.length;
    });
  }
}
