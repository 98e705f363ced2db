import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { serviceRetentionProviders } from '@switchboard/retention';
import { COMPLIANCE_CONFIG } from '../config';
import { PrivacyRequestsRepository } from '../privacy/privacy-requests.repository';
import { ComplianceRetentionSteps } from './compliance-retention.steps';
import { RetentionReportConsumer } from './retention-report.consumer';
import { RetentionReportResolver } from './retention-report.resolver';
import { RetentionReportsRepository } from './retention-reports.repository';
import { RetentionReportsService } from './retention-reports.service';

/**
 * Retention: every service's reports (stored from `compliance.retention-report.v1`, shown by
 * `retentionReport`) and compliance's own retention job (libs/retention: its event tables,
 * expired export documents).
 */
@Module({
  imports: [AuditModule],
  providers: [
    RetentionReportsRepository,
    RetentionReportsService,
    RetentionReportConsumer,
    RetentionReportResolver,
    PrivacyRequestsRepository,
    ComplianceRetentionSteps,
    ...serviceRetentionProviders({
      service: 'compliance',
      config: COMPLIANCE_CONFIG,
      steps: [ComplianceRetentionSteps],
    }),
  ],
})
export class RetentionModule {}
