import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { OnEvent, optionalEventTenant, type ConsumedEvent } from '@switchboard/events';
import { setTenant } from '@switchboard/tenancy';
import { chainOf } from '../domain/audit-chain';
import { AuditLogService } from './audit-log.service';

/** Kafka: every service's audit entries, appended to the hash-chained log. */
@Injectable()
export class AuditLogConsumer {
  constructor(private readonly auditLog: AuditLogService) {}

  @OnEvent(Topics.compliance.audit)
  async onAuditEvent(
    event: ConsumedEvent<typeof complianceV1.AuditEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    // The event's tenant by the lib's rule; a platform-level entry (no organization on either
    // side) belongs to the platform chain, whose rows are the nil-UUID tenant's.
    const chain = chainOf(optionalEventTenant(event, event.message.orgId));
    await setTenant(tx, chain);
    await this.auditLog.append(tx, chain, event.message);
  }
}
