import { Injectable } from '@nestjs/common';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { accountsV1, complianceV1, devicesV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { ComplianceProjectionsService } from './compliance-projections.service';
import { ProjectionsService } from './projections.service';

/** Kafka: thin, one service call per event (the consumer dedupes by event id). */
@Injectable()
export class ProjectionsConsumer {
  constructor(
    private readonly projections: ProjectionsService,
    private readonly compliance: ComplianceProjectionsService,
    private readonly clock: Clock,
  ) {}

  @OnEvent(Topics.accounts.organization)
  async onOrganization(
    event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.projections.onOrganization(tx, orgId, event.message, this.timeOf(event));
  }

  @OnEvent(Topics.devices.device)
  async onDevice(
    event: ConsumedEvent<typeof devicesV1.DeviceEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.projections.onDevice(tx, orgId, event.message, this.timeOf(event));
  }

  @OnEvent(Topics.compliance.suppression)
  async onSuppression(
    event: ConsumedEvent<typeof complianceV1.SuppressionStateSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.compliance.onSuppression(tx, orgId, event.message);
  }

  @OnEvent(Topics.compliance.policy)
  async onPolicy(
    event: ConsumedEvent<typeof complianceV1.OrganizationPolicySchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.compliance.onPolicy(tx, orgId, event.message);
  }

  /** When it happened: the event's own time, else the envelope's, else now. */
  private timeOf(event: { message: { occurredAt?: Timestamp }; time?: Date }): Date {
    const occurredAt = event.message.occurredAt;
    return occurredAt ? timestampDate(occurredAt) : (event.time ?? this.clock.now());
  }
}
