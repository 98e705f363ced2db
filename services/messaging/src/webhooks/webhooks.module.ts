import { Module } from '@nestjs/common';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookHttpClient } from './webhook-http.client';
import { WebhookRetentionSteps } from './webhook-retention.steps';
import { WebhookSigner } from './webhook-signer';
import { WebhooksConsumer } from './webhooks.consumer';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

/** Customer webhooks: endpoints, deliveries from message and opt-out events, the worker. */
@Module({
  providers: [
    WebhooksRepository,
    WebhookHttpClient,
    WebhookSigner,
    WebhooksService,
    WebhookDeliveryWorker,
    WebhooksConsumer,
    WebhooksResolver,
    WebhookRetentionSteps,
  ],
  // For messaging's retention job (retention/retention.module.ts lists its steps).
  // WebhooksService: campaigns queue their `campaign.progress` deliveries through it.
  exports: [WebhookRetentionSteps, WebhooksService],
})
export class WebhooksModule {}
