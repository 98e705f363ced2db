import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Message } from '../domain/message';
import { senderKeyOf, type SenderIdentity } from './conversation.record';
import { ConversationsRepository } from './conversations.repository';

/**
 * Threads messages into conversations per (organization, contact number, our sender). An
 * outbound message for the device pool joins its conversation once a device takes it, and
 * moves when it is finally sent from another device or SIM than first assigned.
 */
@Injectable()
export class ConversationThreading {
  constructor(private readonly conversations: ConversationsRepository) {}

  /**
   * The conversation `message` belongs to with `sender` as our side; undefined when it stays
   * where it is (or the sender is not known yet). `move`: leave its current conversation for
   * another (only when the sender is final, i.e. the message was sent or received).
   */
  async threadFor(
    tx: EntityManager,
    message: Message,
    sender: SenderIdentity,
    options: { move: boolean; unread: boolean },
  ): Promise<string | undefined> {
    const contact = message.direction === 'OUTBOUND' ? message.toNumber : message.fromNumber;
    const key = senderKeyOf(sender);
    if (!contact || !key) return undefined;
    if (message.conversationId) {
      if (!options.move) return undefined;
      const current = await this.conversations.senderKey(tx, message.conversationId);
      if (current === key) return undefined;
      await this.conversations.removeMessage(tx, message.conversationId, message.id);
    }
    return this.conversations.addMessage(
      tx,
      message.orgId,
      {
        contactNumber: contact,
        senderKey: key,
        ourNumber: sender.ourNumber ?? null,
        deviceId: sender.deviceId ?? null,
        simNumber: sender.deviceId ? (sender.simNumber ?? 0) : null,
      },
      { id: message.id, at: message.createdAt, unread: options.unread },
    );
  }
}
