import { Module } from '@nestjs/common';
import { serviceRetentionProviders } from '@switchboard/retention';
import { MESSAGING_CONFIG } from '../config';
import { MessageRetentionRepository } from './message-retention.repository';
import { MessageRetentionSteps } from './message-retention.steps';
import { WebhookRetentionSteps } from '../webhooks/webhook-retention.steps';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CarrierRetentionSteps } from '../carriers/carrier-retention.steps';
import { CarriersRepository } from '../carriers/carriers.repository';

/** Retention (libs/retention): the policy projection, the job, messaging's steps. */
@Module({
  // Webhooks' delivery log is pruned by the same job.
  imports: [WebhooksModule],
  providers: [
    MessageRetentionRepository,
    MessageRetentionSteps,
    // Carriers' receipts, sends and sticky senders (their repository holds no state).
    CarriersRepository,
    CarrierRetentionSteps,
    ...serviceRetentionProviders({
      service: 'messaging',
      config: MESSAGING_CONFIG,
      steps: [MessageRetentionSteps, WebhookRetentionSteps, CarrierRetentionSteps],
    }),
  ],
})
export class RetentionModule {}
