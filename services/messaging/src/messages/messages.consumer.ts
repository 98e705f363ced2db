import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { devicesV1, messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { InboundService } from './inbound.service';
import { sendRequestOfCommand } from './message-events';
import { MessageTrackingService } from './message-tracking.service';
import { MessagesService } from './messages.service';

/** Kafka: thin, one service call per event (the consumer dedupes by event id). */
@Injectable()
export class MessagesConsumer {
  constructor(
    private readonly tracking: MessageTrackingService,
    private readonly inbound: InboundService,
    private readonly messages: MessagesService,
  ) {}

  /**
   * A send command of another service: the same `send` as the GraphQL mutation, in this
   * event's transaction; an invalid request becomes a REJECTED message (its sender cannot be
   * answered), and a repeated command (same idempotency key) finds the first message.
   */
  @OnEvent(Topics.messaging.send)
  async onSendCommand(
    event: ConsumedEvent<typeof messagingV1.SendMessageCommandSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const { request, actor } = sendRequestOfCommand(event.message);
    await this.messages.send(orgId, request, { tx, onInvalid: 'reject', actor });
  }

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
