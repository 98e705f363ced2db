import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { CallbackQueue } from '../callbacks/callback-queue.service';
import { ContactLocations } from './contact-locations.service';

/** Callbacks of one number leave in order; the subject names it without the number itself. */
export const numberSubject = (phone: string) =>
  `number:${createHash('sha256').update(phone).digest('hex').slice(0, 24)}`;

/**
 * Every inbound SMS or MMS of a linked organization goes into its GHL conversation: queued (in
 * the event's transaction) as one callback — contact upserted by phone, conversation found or
 * created, an MMS's media uploaded to GHL from their links, the message posted with `altId` =
 * our message id and GHL's URLs of the media as attachments.
 */
@Injectable()
export class InboundMessagesService {
  constructor(
    private readonly locations: ContactLocations,
    private readonly callbacks: CallbackQueue,
    private readonly clock: Clock,
  ) {}

  async onInbound(
    tx: SqlRunner,
    orgId: string,
    message: {
      messageId: string;
      from: string;
      body: string;
      /** An MMS's stored media (signed links), uploaded to GHL before the post. */
      mediaLinks?: string[];
      receivedAt?: Date;
    },
  ): Promise<void> {
    if (!message.from) return;
    const locationId = await this.locations.of(tx, message.from);
    if (!locationId) return;
    const now = this.clock.now();
    await this.callbacks.enqueue(tx, {
      orgId,
      locationId,
      subject: numberSubject(message.from),
      payload: {
        kind: 'INBOUND_MESSAGE',
        messageId: message.messageId,
        phone: message.from,
        body: message.body,
        attachments: [],
        ...(message.mediaLinks?.length ? { mediaLinks: message.mediaLinks } : {}),
        date: (message.receivedAt ?? now).toISOString(),
      },
      at: now,
    });
  }
}
