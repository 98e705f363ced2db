import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { parseKeyword } from '../domain/keywords';
import { KeywordService } from './keyword.service';

/** An inbound SMS as received whose body is a keyword: the only message event compliance acts on. */
function isInboundKeyword(event: ConsumedEvent<typeof messagingV1.MessageEventSchema>): boolean {
  const message = event.message;
  return (
    message.kind === messagingV1.MessageEventKind.RECEIVED &&
    message.direction === messagingV1.Direction.INBOUND &&
    parseKeyword(message.body) !== null
  );
}

/**
 * `messaging.message.v1`: every inbound SMS (RECEIVED, with its body) is checked for an opt-out
 * keyword. Thin: enters the event's tenant, then one service call; outbound events concern no
 * keyword, and neither do other texts: both are skipped before any database work (`relevant`: no transaction, no
 * processed-event row — issue 17).
 */
@Injectable()
export class KeywordConsumer {
  constructor(private readonly keywords: KeywordService) {}

  @OnEvent(Topics.messaging.message, { relevant: isInboundKeyword })
  async onMessage(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const message = event.message;
    if (!isInboundKeyword(event)) return;
    await this.keywords.onInbound(tx, orgId, {
      messageId: message.messageId,
      from: message.from?.e164 ?? '',
      to: message.to?.e164 ?? '',
      body: message.body,
      receivedAt: message.occurredAt ? timestampDate(message.occurredAt) : null,
    });
  }
}
