import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { TenantRepository } from '@switchboard/tenancy';
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
export class MeterEventsJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  constructor(
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly plans: PlanRepository,
    private readonly events: MeterEventsRepository,
    private readonly stripe: StripeClient,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(MeterEventsJob.name);
    this.job = new PeriodicJob({
      name: 'stripe meter events',
      intervalMs: this.config.STRIPE_METER_INTERVAL_MS,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'billing:stripe-meter-events',
        logger,
      }),
      logger,
      run: async () => (await this.runOnce()) >= BATCH,
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass over every organization; the number of events reported. */
  async runOnce(): Promise<number> {
    let reported = 0;
    for (const { id: orgId } of await this.tenants.all(this.dataSource)) {
      reported += await inTenantTransaction(this.dataSource, orgId, async (tx) => {
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
    return reported;
  }
}
