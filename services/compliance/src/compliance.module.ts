import { Module } from '@nestjs/common';
import { TenantRepository } from '@switchboard/tenancy';
import { KeywordConsumer } from './keywords/keyword.consumer';
import { KeywordService } from './keywords/keyword.service';
import { ComplianceEventsWriter } from './common/compliance-events.writer';
import { OrganizationConsumer } from './organizations/organization.consumer';
import { OrganizationRepository } from './organizations/organization.repository';
import { OrganizationService } from './organizations/organization.service';
import { PolicyRepository } from './policy/policy.repository';
import { PolicyResolver } from './policy/policy.resolver';
import { PolicyService } from './policy/policy.service';
import { OptOutRequestConsumer } from './suppressions/opt-out-request.consumer';
import { SuppressionRepository } from './suppressions/suppression.repository';
import { SuppressionResolver } from './suppressions/suppression.resolver';
import { SuppressionService } from './suppressions/suppression.service';

/**
 * The compliance core: organizations, policy, opt-outs and consent, keyword replies. Exports
 * what other compliance features (audit, retention, privacy) may use.
 */
@Module({
  providers: [
    ComplianceEventsWriter,
    TenantRepository,
    OrganizationRepository,
    PolicyRepository,
    SuppressionRepository,
    PolicyService,
    SuppressionService,
    OrganizationService,
    KeywordService,
    OrganizationConsumer,
    KeywordConsumer,
    OptOutRequestConsumer,
    PolicyResolver,
    SuppressionResolver,
  ],
  exports: [ComplianceEventsWriter, TenantRepository, PolicyService, SuppressionService],
})
export class ComplianceModule {}
