import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { billingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { QuotaStateStore } from './quota-state.store';

const REASON: Partial<Record<billingV1.QuotaBlockReason, 'QUOTA_EXCEEDED' | 'INSUFFICIENT_FUNDS'>> =
  {
    [billingV1.QuotaBlockReason.QUOTA_EXCEEDED]: 'QUOTA_EXCEEDED',
    [billingV1.QuotaBlockReason.INSUFFICIENT_FUNDS]: 'INSUFFICIENT_FUNDS',
  };

/** Kafka: billing.quota.v1 → the local projection (thin: the event's tenant, one call). */
@Injectable()
export class QuotaStateConsumer {
  constructor(private readonly store: QuotaStateStore) {}

  @OnEvent(Topics.billing.quota)
  async onQuota(
    event: ConsumedEvent<typeof billingV1.QuotaStateSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const q = event.message;
    await this.store.apply(tx, orgId, {
      planId: q.planId,
      remainingIncluded: Number(q.remainingIncludedSegments),
      walletAvailableMinor: Number(q.walletAvailable?.amountMinor ?? 0n),
      maxSegmentPriceMinor: Number(q.maxSegmentPrice?.amountMinor ?? 0n),
      maxMmsPriceMinor: Number(q.maxMmsPrice?.amountMinor ?? 0n),
      overageAllowed: q.overageAllowed,
      blockReason: q.blocked ? (REASON[q.blockReason] ?? 'QUOTA_EXCEEDED') : null,
      version: Number(q.version),
      updatedAt: q.updatedAt ? timestampDate(q.updatedAt) : new Date(0),
    });
  }
}
