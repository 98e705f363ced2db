import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import type { MessageEventKindName } from '../domain/message-status';
import { InboundMessagesService } from './inbound-messages.service';
import { ProviderMessagesService } from './provider-messages.service';

/**
 * When an inbound message goes to GHL: an SMS at RECEIVED; an MMS (media_count > 0) once its
 * media are stored (MEDIA_STORED, which carries the links GHL copies the files from).
 */
function inboundReady(m: messagingV1.MessageEvent): boolean {
  const K = messagingV1.MessageEventKind;
  return m.kind === K.MEDIA_STORED || (m.kind === K.RECEIVED && m.mediaCount === 0);
}

/**
 * What this consumer acts on: the status of a message sent for GHL, or an inbound message ready
 * for its GHL conversation. Anything else (every other outbound message of every organization)
 * is skipped before any database work: no transaction, no processed-event row (issue 17).
 */
function concernsGhl(event: ConsumedEvent<typeof messagingV1.MessageEventSchema>): boolean {
  const m = event.message;
  return (
    (m.direction === messagingV1.Direction.OUTBOUND && m.ghlMessageId !== '') ||
    (m.direction === messagingV1.Direction.INBOUND && inboundReady(m))
  );
}

/**
 * `messaging.message.v1`: the lifecycle of messages sent for GHL (those with a GHL message id)
 * goes back to GHL as their status; inbound SMS and MMS go into the GHL conversation. Thin:
 * enters the event's tenant, one service call.
 */
@Injectable()
export class MessageEventsConsumer {
  constructor(
    private readonly deliveries: ProviderMessagesService,
    private readonly inbound: InboundMessagesService,
  ) {}

  @OnEvent(Topics.messaging.message, { relevant: concernsGhl })
  async onMessage(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const m = event.message;
    const K = messagingV1.MessageEventKind;
    if (m.direction === messagingV1.Direction.OUTBOUND && m.ghlMessageId) {
      const orgId = await enterEventTenant(tx, event, m.orgId);
      await this.deliveries.onMessageEvent(tx, orgId, {
        ghlMessageId: m.ghlMessageId,
        messageId: m.messageId,
        kind: K[m.kind] as MessageEventKindName,
        error: m.error ? { code: m.error.code, message: m.error.message } : undefined,
      });
    } else if (m.direction === messagingV1.Direction.INBOUND && inboundReady(m)) {
      const orgId = await enterEventTenant(tx, event, m.orgId);
      await this.inbound.onInbound(tx, orgId, {
        messageId: m.messageId,
        from: m.from?.e164 ?? '',
        body: m.body,
        mediaLinks: m.mediaLinks,
        receivedAt: m.occurredAt ? timestampDate(m.occurredAt) : event.time,
      });
    }
  }
}
