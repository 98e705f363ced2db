import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { devicesV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { InboundService } from './inbound.service';
import { MessageTrackingService } from './message-tracking.service';

/** Kafka: thin, one service call per event (the consumer dedupes by event id). */
@Injectable()
export class MessagesConsumer {
  constructor(
    private readonly tracking: MessageTrackingService,
    private readonly inbound: InboundService,
  ) {}

  @OnEvent(Topics.devices.messageState)
  async onMessageState(
    event: ConsumedEvent<typeof devicesV1.MessageStateEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    await enterEventTenant(tx, event, event.message.orgId);
    await this.tracking.onDeviceReport(tx, event.message);
  }

  @OnEvent(Topics.devices.inbound)
  async onInbound(
    event: ConsumedEvent<typeof devicesV1.InboundMessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.inbound.receive(tx, orgId, event.message);
  }
}
