import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { WebhooksService } from './webhooks.service';

/**
 * Kafka: the events customer webhooks carry. Each event is handled once per consumer group
 * (processed_events), and its deliveries are written in that transaction: at-least-once from
 * the outbox to the receiver.
 */
@Injectable()
export class WebhooksConsumer {
  constructor(private readonly webhooks: WebhooksService) {}

  // Organizations without an endpoint for the event: skipped before any transaction (asked once
  // per organization and type of a fetched batch).
  @OnEvent(Topics.messaging.message, {
    relevant: (event, consumer: WebhooksConsumer, batch) =>
      consumer.webhooks.wantsMessageEvent(event.message, batch),
  })
  async onMessageEvent(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.webhooks.onMessageEvent(tx, orgId, event.id, event.message);
  }

  @OnEvent(Topics.compliance.suppression)
  async onSuppressionState(
    event: ConsumedEvent<typeof complianceV1.SuppressionStateSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.webhooks.onSuppressionState(tx, orgId, event.message);
  }
}
