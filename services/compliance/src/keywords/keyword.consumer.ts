import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { KeywordService } from './keyword.service';

/**
 * `messaging.message.v1`: every inbound SMS (RECEIVED, with its body) is checked for an opt-out
 * keyword. Thin: enters the event's tenant, then one service call; outbound events concern no
 * keyword.
 */
@Injectable()
export class KeywordConsumer {
  constructor(private readonly keywords: KeywordService) {}

  @OnEvent(Topics.messaging.message)
  async onMessage(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const message = event.message;
    if (
      message.kind !== messagingV1.MessageEventKind.RECEIVED ||
      message.direction !== messagingV1.Direction.INBOUND
    ) {
      return;
    }
    await this.keywords.onInbound(tx, orgId, {
      messageId: message.messageId,
      from: message.from?.e164 ?? '',
      to: message.to?.e164 ?? '',
      body: message.body,
      receivedAt: message.occurredAt ? timestampDate(message.occurredAt) : null,
    });
  }
}
