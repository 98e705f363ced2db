import { Module } from '@nestjs/common';
import { ListsRepository } from '../lists/lists.repository';
import { MessagingModule } from '../messaging.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CampaignRunnerWorker } from './campaign-runner.worker';
import { CampaignsConsumer } from './campaigns.consumer';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignPreviewResolver } from './campaign-preview.resolver';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';

/** Campaigns: the fan-out through the messaging module's send path, and the runner. */
@Module({
  imports: [MessagingModule, WebhooksModule],
  providers: [
    CampaignsRepository,
    ListsRepository,
    CampaignsService,
    CampaignRunnerWorker,
    CampaignsConsumer,
    CampaignsResolver,
    CampaignPreviewResolver,
  ],
})
export class CampaignsModule {}
