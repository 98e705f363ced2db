import { Module } from '@nestjs/common';
import { servicePrivacyProviders } from '@switchboard/privacy';
import { ComplianceModule } from '../compliance.module';
import { COMPLIANCE_CONFIG } from '../config';
import { DownloadLinks } from '../downloads/download-links';
import { DownloadsController } from '../downloads/downloads.controller';
import { ExportDocumentService } from '../downloads/export-document.service';
import { CompliancePrivacyParticipant } from './compliance-privacy.participant';
import { CompliancePrivacyRepository } from './compliance-privacy.repository';
import { PrivacyReplyConsumer } from './privacy-reply.consumer';
import { PrivacyRepublishJob } from './privacy-republish.job';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyRequestsService } from './privacy-requests.service';
import { PrivacyResolver } from './privacy.resolver';

/**
 * GDPR/CCPA: the requests (GraphQL, fan-out, answers, re-publishing), the export download
 * (src/downloads: signed links, the streamed document) and compliance's own participant part
 * (libs/privacy).
 */
@Module({
  imports: [ComplianceModule],
  controllers: [DownloadsController],
  providers: [
    PrivacyRequestsRepository,
    PrivacyRequestsService,
    PrivacyReplyConsumer,
    PrivacyResolver,
    PrivacyRepublishJob,
    DownloadLinks,
    ExportDocumentService,
    CompliancePrivacyRepository,
    ...servicePrivacyProviders({
      service: 'compliance',
      config: COMPLIANCE_CONFIG,
      participant: CompliancePrivacyParticipant,
    }),
  ],
})
export class PrivacyModule {}
