import { Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { BillingEventsWriter } from '../common/billing-events.writer';
import { periodBounds, periodOf } from '../domain/period';
import { quotaOf } from '../domain/pricing';
import { UsageRepository } from '../metering/usage.repository';
import { PlanRepository } from '../plans/plan.repository';
import { availableOf, WalletService } from '../wallet/wallet.service';

/**
 * Publishes the organization's quota (billing.quota.v1, compacted) after every change of its
 * allowance, wallet or plan, in the transaction of the change, with the next version. The
 * caller holds the organization's plan row lock.
 */
@Injectable()
export class QuotaService {
  constructor(
    private readonly plans: PlanRepository,
    private readonly usage: UsageRepository,
    private readonly wallets: WalletService,
    private readonly events: BillingEventsWriter,
    private readonly clock: Clock,
  ) {}

  async publish(tx: SqlRunner, orgId: string): Promise<void> {
    const now = this.clock.now();
    const account = (await this.plans.findOrganizationPlan(tx, orgId))!;
    const plan = (await this.plans.findPlan(tx, account.planId))!;
    const wallet = await this.wallets.ensure(tx, orgId);
    const period = periodOf(now);
    const includedUsed = await this.usage.lockPeriod(tx, orgId, period);
    const maxSegmentPriceMinor = await this.plans.maxPriceAt(tx, plan.routes, 'SMS', now);
    const maxMmsPriceMinor = await this.plans.maxPriceAt(tx, plan.routes, 'MMS', now);
    const walletAvailableMinor = availableOf(wallet);
    const quota = quotaOf({ plan, includedUsed, walletAvailableMinor, maxSegmentPriceMinor });
    const { start, end } = periodBounds(period);
    const version = await this.plans.nextQuotaVersion(tx, orgId);
    await this.events.quota(
      tx,
      orgId,
      {
        planId: plan.id,
        periodStart: start,
        periodEnd: end,
        remainingIncluded: quota.remainingIncluded,
        currency: wallet.currency,
        walletAvailableMinor,
        maxSegmentPriceMinor,
        maxMmsPriceMinor,
        overageAllowed: plan.overageAllowed,
        blocked: quota.blocked,
        reason: quota.reason,
        version,
      },
      now,
    );
  }
}
