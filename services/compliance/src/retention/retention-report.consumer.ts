import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { OnEvent, optionalEventTenant, type ConsumedEvent } from '@switchboard/events';
import { setTenant } from '@switchboard/tenancy';
import { PLATFORM_TENANT } from './retention-report.record';
import { RetentionReportsService } from './retention-reports.service';

/** Kafka: every service's retention reports, stored for `retentionReport`. */
@Injectable()
export class RetentionReportConsumer {
  constructor(private readonly reports: RetentionReportsService) {}

  @OnEvent(Topics.compliance.retentionReport)
  async onReport(
    event: ConsumedEvent<typeof complianceV1.RetentionReportSchema>,
    tx: EntityManager,
  ): Promise<void> {
    // The lib's tenant rule; a platform-level report (event tables) is the nil UUID's.
    const orgId = optionalEventTenant(event, event.message.orgId) ?? PLATFORM_TENANT;
    await setTenant(tx, orgId);
    await this.reports.record(tx, orgId, event.id, event.message);
  }
}
