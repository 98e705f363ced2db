import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import type { devicesV1 } from '@switchboard/contracts';
import { OutboxWriter } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { stableUuid } from '../common/stable-id';
import { ConversationThreading } from '../conversations/conversation-threading';
import { analyzeSms } from '@switchboard/sms';
import { messageEventDraft } from './message-events';
import type { MessageRecord } from './message.record';
import { MessagesRepository } from './messages.repository';
import { toPatch } from './message-lifecycle';

/**
 * SMS received by the organization's devices (devices.inbound.v1) become RECEIVED messages in
 * the conversation of (contact, device SIM), raising its unread count. A device may post the
 * same SMS twice: (device, its SMS id) is stored once.
 */
@Injectable()
export class InboundService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly threading: ConversationThreading,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  /** Runs in the consumer's transaction, tenant set. */
  async receive(
    tx: EntityManager,
    orgId: string,
    event: devicesV1.InboundMessageEvent,
  ): Promise<void> {
    const now = this.clock.now();
    const body = event.body;
    const sms = analyzeSms(body);
    const receivedAt = event.receivedAt ? timestampDate(event.receivedAt) : now;
    const contact = event.from?.e164 || event.fromRaw || null;
    // Devices name each SMS; without a name, the same sender and text on the same device at the
    // same time is taken for a repeated post.
    const deviceMessageId =
      event.id || stableUuid('inbound-unnamed', contact ?? '', body, receivedAt.toISOString());
    const record: MessageRecord = {
      id: stableUuid('inbound', orgId, event.deviceId, deviceMessageId),
      orgId,
      direction: 'INBOUND',
      status: 'RECEIVED',
      fromNumber: contact,
      toNumber: event.to?.e164 || null,
      body,
      encoding: sms.encoding,
      segments: sms.segments,
      mediaUrls: [],
      route: 'DEVICE',
      deviceId: event.deviceId,
      simNumber: event.simNumber || null,
      requestedDeviceId: null,
      requestedSimNumber: null,
      conversationId: null,
      campaignId: null,
      externalId: null,
      ghlMessageId: null,
      deviceMessageId,
      idempotencyKey: null,
      metadata: {},
      error: null,
      attempt: 0,
      excludedDeviceIds: [],
      scheduledAt: null,
      validUntil: null,
      eventSequence: 1,
      createdAt: now,
      createdMicros: String(now.getTime() * 1000),
      updatedAt: now,
      queuedAt: null,
      scheduledStatusAt: null,
      dispatchedAt: null,
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
      rejectedAt: null,
      expiredAt: null,
      canceledAt: null,
      receivedAt,
    };
    const inserted = await this.messages.insertInbound(tx, toPatch(record));
    if (!inserted) return; // posted before
    const conversationId = await this.threading.threadFor(
      tx,
      record,
      { deviceId: event.deviceId, simNumber: event.simNumber || 0, ourNumber: record.toNumber },
      { move: false, unread: true },
    );
    const stored = { ...record, conversationId: conversationId ?? null };
    if (conversationId) await this.messages.update(tx, record.id, { conversationId });
    await this.outbox.add(tx, messageEventDraft(stored, 'RECEIVED', 1, receivedAt));
  }
}
