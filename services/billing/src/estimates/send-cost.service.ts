import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { periodOf } from '../domain/period';
import { ANY_COUNTRY, estimateSendCost, type SendCostEstimate } from '../domain/pricing';
import { UsageRepository } from '../metering/usage.repository';
import { PlansService } from '../plans/plans.service';
import { availableOf, WalletService } from '../wallet/wallet.service';

/** An estimate with what it was priced at and what the wallet holds. */
export interface SendCostView extends SendCostEstimate {
  currency: string;
  /** The price book country used ('*': the catch-all). */
  country: string;
  smsUnitPriceMinor: number;
  mmsUnitPriceMinor: number;
  planId: string;
  walletAvailableMinor: number;
}

/**
 * Prices a planned send (a campaign preview's segment and MMS totals) for the caller's
 * organization now: its plan, the allowance it has left this period, the price book (SMS on the
 * device route, the default route before routing; MMS on carriers), and its wallet. Reads only
 * (the organization is registered the first time, as `myPlan` does).
 */
@Injectable()
export class SendCostService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly usage: UsageRepository,
    private readonly wallets: WalletService,
    private readonly clock: Clock,
  ) {}

  estimate(
    orgId: string,
    input: { smsSegments: number; mms: number; country: string | null },
  ): Promise<SendCostView> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const { plan } = await this.plans.lockAccountWithPlan(tx, orgId);
      const includedUsed = await this.usage.periodUsed(tx, orgId, periodOf(now));
      const country = /^[A-Za-z]{2}$/.test(input.country ?? '')
        ? input.country!.toUpperCase()
        : ANY_COUNTRY;
      const sms =
        input.smsSegments > 0
          ? await this.plans.priceAt(tx, country, 'DEVICE', 'SMS', now)
          : undefined;
      const mms =
        input.mms > 0 ? await this.plans.priceAt(tx, country, 'CARRIER', 'MMS', now) : undefined;
      const wallet = await this.wallets.ensure(tx, orgId);
      const estimate = estimateSendCost({
        smsSegments: input.smsSegments,
        mms: input.mms,
        smsPriceMinor: sms?.amountMinor ?? 0,
        mmsPriceMinor: mms?.amountMinor ?? 0,
        plan,
        includedUsed,
      });
      return {
        ...estimate,
        currency: sms?.currency ?? mms?.currency ?? wallet.currency,
        country,
        smsUnitPriceMinor: sms?.amountMinor ?? 0,
        mmsUnitPriceMinor: mms?.amountMinor ?? 0,
        planId: plan.id,
        walletAvailableMinor: availableOf(wallet),
      };
    });
  }
}
