import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { accountsV1, complianceV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { RetentionPolicyStore } from './retention-policy.store';

/**
 * Kafka: the service's projection of the retention periods. A policy is kept when its version
 * is higher than the one held; a created organization is registered with the defaults (so the
 * job covers organizations that never changed their policy).
 */
@Injectable()
export class RetentionPolicyConsumer {
  constructor(
    private readonly store: RetentionPolicyStore,
    private readonly clock: Clock,
  ) {}

  @OnEvent(Topics.compliance.policy)
  async onPolicy(
    event: ConsumedEvent<typeof complianceV1.OrganizationPolicySchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const r = event.message.retention;
    const at = event.message.updatedAt ? timestampDate(event.message.updatedAt) : this.clock.now();
    await this.store.apply(
      tx,
      orgId,
      {
        bodyRetentionDays: r?.bodyRetentionDays ?? 0,
        metadataRetentionMonths: r?.metadataRetentionMonths ?? 0,
        auditRetentionDays: r?.auditRetentionDays ?? 0,
        requestLogRetentionDays: r?.requestLogRetentionDays ?? 0,
      },
      Number(event.message.version),
      at,
    );
  }

  @OnEvent(Topics.accounts.organization, { types: ['switchboard.accounts.v1.OrganizationCreated'] })
  async onOrganizationCreated(
    event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.store.register(tx, orgId);
  }
}
