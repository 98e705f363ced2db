import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { billingV1, Topics } from '@switchboard/contracts';
import { OutboxWriter, ownerMailDraft, type SqlRunner } from '@switchboard/events';
import { formatMoney } from '../domain/money-format';
import type { BlockReason } from '../domain/pricing';

/** A quota as billing publishes it (billing.v1.QuotaState). */
export interface QuotaSnapshot {
  planId: string;
  periodStart: Date;
  periodEnd: Date;
  remainingIncluded: number;
  currency: string;
  walletAvailableMinor: number;
  maxSegmentPriceMinor: number;
  maxMmsPriceMinor: number;
  overageAllowed: boolean;
  blocked: boolean;
  reason: BlockReason;
  version: number;
}

const REASON: Record<Exclude<BlockReason, null>, billingV1.QuotaBlockReason> = {
  QUOTA_EXCEEDED: billingV1.QuotaBlockReason.QUOTA_EXCEEDED,
  INSUFFICIENT_FUNDS: billingV1.QuotaBlockReason.INSUFFICIENT_FUNDS,
};

/**
 * Every event billing publishes, written to the outbox in the caller's transaction (published
 * if and only if the change commits), keyed as the topic catalog says.
 */
@Injectable()
export class BillingEventsWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  /** The organization's quota on the compacted billing.quota.v1 (key: org id). */
  async quota(tx: SqlRunner, orgId: string, q: QuotaSnapshot, at: Date): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.billing.quota,
      key: orgId,
      orgId,
      time: at,
      event: {
        orgId,
        planId: q.planId,
        periodStart: timestampFromDate(q.periodStart),
        periodEnd: timestampFromDate(q.periodEnd),
        remainingIncludedSegments: BigInt(q.remainingIncluded),
        walletAvailable: { currencyCode: q.currency, amountMinor: BigInt(q.walletAvailableMinor) },
        maxSegmentPrice: { currencyCode: q.currency, amountMinor: BigInt(q.maxSegmentPriceMinor) },
        maxMmsPrice: { currencyCode: q.currency, amountMinor: BigInt(q.maxMmsPriceMinor) },
        overageAllowed: q.overageAllowed,
        blocked: q.blocked,
        blockReason: q.reason ? REASON[q.reason] : billingV1.QuotaBlockReason.UNSPECIFIED,
        version: BigInt(q.version),
        updatedAt: timestampFromDate(at),
      },
    });
  }

  /** The wallet fell below its threshold (billing.wallet-alert.v1, and a mail to the owners). */
  async lowBalance(
    tx: SqlRunner,
    orgId: string,
    alert: { currency: string; availableMinor: number; thresholdMinor: number },
    at: Date,
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.billing.walletAlert,
      key: orgId,
      orgId,
      time: at,
      event: {
        orgId,
        available: { currencyCode: alert.currency, amountMinor: BigInt(alert.availableMinor) },
        threshold: { currencyCode: alert.currency, amountMinor: BigInt(alert.thresholdMinor) },
        occurredAt: timestampFromDate(at),
        kind: billingV1.WalletAlertKind.LOW_BALANCE,
      },
    });
    await this.outbox.add(
      tx,
      ownerMailDraft({
        orgId,
        template: 'LOW_BALANCE',
        variables: {
          balance: formatMoney(alert.currency, alert.availableMinor),
          threshold: formatMoney(alert.currency, alert.thresholdMinor),
        },
      }),
    );
  }

  /**
   * An automatic recharge failed at Stripe; auto-recharge is paused (billing.wallet-alert.v1, and
   * a mail to the owners).
   */
  async rechargeFailed(
    tx: SqlRunner,
    orgId: string,
    alert: {
      currency: string;
      availableMinor: number;
      thresholdMinor: number;
      failureCode: string;
      attemptId: string;
    },
    at: Date,
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.billing.walletAlert,
      key: orgId,
      orgId,
      time: at,
      id: alert.attemptId,
      event: {
        orgId,
        available: { currencyCode: alert.currency, amountMinor: BigInt(alert.availableMinor) },
        threshold: { currencyCode: alert.currency, amountMinor: BigInt(alert.thresholdMinor) },
        occurredAt: timestampFromDate(at),
        kind: billingV1.WalletAlertKind.AUTO_RECHARGE_FAILED,
        failureCode: alert.failureCode,
      },
    });
    await this.outbox.add(
      tx,
      ownerMailDraft({
        orgId,
        template: 'OWNER_NOTICE',
        variables: {
          subject: 'Automatic recharge of your Switchboard balance failed',
          text:
            `Stripe refused the automatic recharge (${alert.failureCode}), so auto-recharge is ` +
            `paused. Your prepaid balance is ${formatMoney(alert.currency, alert.availableMinor)}. ` +
            'Update your card on the billing page and turn auto-recharge on again.',
        },
      }),
    );
  }
}
