import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { commonV1, complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { OutboxWriter, type SqlRunner } from '@switchboard/events';

const SERVICE_ACTOR = { type: commonV1.ActorType.SERVICE, id: 'ghl-sync' };

/** The send command of one GHL provider delivery. */
export interface GhlSendCommand {
  ghlMessageId: string;
  to: string;
  body: string;
  mediaUrls: string[];
  metadata: Record<string, string>;
}

/** The idempotency key of the send command of a GHL message: its id, namespaced. */
export const ghlIdempotencyKey = (ghlMessageId: string) => `ghl:${ghlMessageId}`;

/**
 * Every event ghl-sync publishes, written to the outbox in the caller's transaction (published
 * if and only if the change commits), keyed as the topic catalog says.
 */
@Injectable()
export class GhlSyncEventsWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  /** `messaging.send.v1`: send the GHL message through the organization's routes and policies. */
  async send(tx: SqlRunner, orgId: string, command: GhlSendCommand, at: Date): Promise<void> {
    const key = ghlIdempotencyKey(command.ghlMessageId);
    await this.outbox.add(tx, {
      topic: Topics.messaging.send,
      key: `${orgId}:${key}`,
      orgId,
      time: at,
      event: {
        orgId,
        idempotencyKey: key,
        to: command.to,
        body: command.body,
        mediaUrls: command.mediaUrls,
        purpose: messagingV1.SendPurpose.TRANSACTIONAL,
        requestedBy: { ...SERVICE_ACTOR, orgId },
        metadata: command.metadata,
        ghlMessageId: command.ghlMessageId,
      },
    });
  }

  /** `compliance.opt-out-request.v1`: GHL's SMS DND of a number, for compliance to decide. */
  async dnd(
    tx: SqlRunner,
    orgId: string,
    phoneNumber: string,
    set: boolean,
    reason: string,
    at: Date,
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.compliance.optOutRequest,
      key: `${orgId}:${phoneNumber}`,
      orgId,
      time: at,
      event: {
        orgId,
        phoneNumber,
        kind: set
          ? complianceV1.OptOutRequestKind.DND_SET
          : complianceV1.OptOutRequestKind.DND_CLEARED,
        source: complianceV1.ConsentSource.GHL,
        reason,
        occurredAt: timestampFromDate(at),
        requestedBy: { ...SERVICE_ACTOR, orgId },
      },
    });
  }
}
