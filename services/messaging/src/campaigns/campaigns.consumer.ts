import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { CampaignsService } from './campaigns.service';

/** Kafka: campaign progress from the lifecycle of its messages (messaging.message.v1). */
@Injectable()
export class CampaignsConsumer {
  constructor(private readonly campaigns: CampaignsService) {}

  @OnEvent(Topics.messaging.message, { relevant: (event) => Boolean(event.message.campaignId) })
  async onMessageEvent(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    await enterEventTenant(tx, event, event.message.orgId);
    if (!event.message.campaignId) return;
    await this.campaigns.onMessageEvent(tx, {
      campaignId: event.message.campaignId,
      kind: messagingV1.MessageEventKind[event.message.kind],
    });
  }
}
