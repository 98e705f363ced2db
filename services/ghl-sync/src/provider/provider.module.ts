import { Module } from '@nestjs/common';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { GhlSyncModule } from '../ghl-sync.module';
import { ContactLocations } from './contact-locations.service';
import { DndService } from './dnd.service';
import { InboundMessagesService } from './inbound-messages.service';
import { MessageEventsConsumer } from './message-events.consumer';
import { ProviderIngestService } from './provider-ingest.service';
import { ProviderMessagesRepository } from './provider-messages.repository';
import { ProviderMessagesService } from './provider-messages.service';
import { ProviderWebhookController } from './provider-webhook.controller';
import { SuppressionConsumer } from './suppression.consumer';

/**
 * GHL's conversation provider (SMS): the Delivery URL (POST /ghl/webhooks/provider) becomes a
 * send command; the message's lifecycle goes back to GHL as its status; inbound SMS go into
 * the GHL conversation; DND both ways.
 */
@Module({
  imports: [GhlSyncModule, CallbacksModule],
  controllers: [ProviderWebhookController],
  providers: [
    ProviderMessagesRepository,
    ProviderIngestService,
    ProviderMessagesService,
    ContactLocations,
    InboundMessagesService,
    DndService,
    MessageEventsConsumer,
    SuppressionConsumer,
  ],
})
export class ProviderModule {}
