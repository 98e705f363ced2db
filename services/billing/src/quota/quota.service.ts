import { Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { BillingEventsWriter } from '../common/billing-events.writer';
import { periodBounds, periodOf } from '../domain/period';
import { quotaOf } from '../domain/pricing';
import { UsageRepository } from '../metering/usage.repository';
import type { PlanRecord } from '../plans/plan.record';
import { PlanRepository } from '../plans/plan.repository';
import type { WalletRecord } from '../wallet/wallet.record';
import { availableOf, WalletService } from '../wallet/wallet.service';

/**
 * What the caller already read in this transaction (under the plan row lock), so publishing
 * does not read it again: the plan, the period's included segments used (of `period`), the
 * wallet after the change.
 */
export interface KnownQuotaInputs {
  plan?: PlanRecord;
  included?: { period: string; used: number };
  wallet?: WalletRecord;
}

/**
 * Publishes the organization's quota (billing.quota.v1, compacted) after every change of its
 * allowance, wallet or plan, in the transaction of the change, with the next version (metering
 * skips it for plans that allow overage: no decision depends on their allowance). The caller
 * holds the organization's plan row lock.
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

  async publish(tx: SqlRunner, orgId: string, known: KnownQuotaInputs = {}): Promise<void> {
    const now = this.clock.now();
    const plan =
      known.plan ??
      (await this.plans.findPlan(tx, (await this.plans.findOrganizationPlan(tx, orgId))!.planId))!;
    const wallet = known.wallet ?? (await this.wallets.ensure(tx, orgId));
    const period = periodOf(now);
    const includedUsed =
      known.included?.period === period
        ? known.included.used
        : await this.usage.lockPeriod(tx, orgId, period);
    const max = await this.plans.maxPricesAt(tx, plan.routes, now);
    const [maxSegmentPriceMinor, maxMmsPriceMinor] = [max.SMS, max.MMS];
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
