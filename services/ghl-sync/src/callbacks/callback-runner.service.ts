import { Injectable } from '@nestjs/common';
import { GhlApi } from '../client/ghl-api.client';
import type { CallbackPayload, CallbackRecord } from './callback.record';

/**
 * Whether repeating what is left of the callback is harmless (the queue retries only then):
 * status updates and contact upserts are; an inbound message's post is not, so once its
 * contact and conversation are known (kept in the payload), a failure that may have reached
 * GHL is not repeated.
 */
export function retryIsSafe(payload: CallbackPayload): boolean {
  return payload.kind !== 'INBOUND_MESSAGE' || !payload.conversationId;
}

/**
 * One callback's calls to GHL. `progress` receives the payload as steps complete (contact and
 * conversation ids of an inbound message), so a retry does not repeat them.
 */
@Injectable()
export class CallbackRunner {
  constructor(private readonly ghl: GhlApi) {}

  async run(callback: CallbackRecord, progress: (payload: CallbackPayload) => void): Promise<void> {
    const { orgId, locationId } = callback;
    const payload = callback.payload;
    switch (payload.kind) {
      case 'MESSAGE_STATUS':
        await this.ghl.updateMessageStatus(orgId, locationId, payload.ghlMessageId, payload.update);
        return;
      case 'CONTACT_DND':
        await this.ghl.upsertContact(orgId, locationId, {
          phone: payload.phone,
          smsDnd: payload.set,
        });
        return;
      case 'INBOUND_MESSAGE': {
        const step = { ...payload };
        if (!step.contactId) {
          step.contactId = (
            await this.ghl.upsertContact(orgId, locationId, { phone: step.phone })
          ).id;
          progress({ ...step });
        }
        if (!step.conversationId) {
          step.conversationId =
            (await this.ghl.findConversation(orgId, locationId, step.contactId)) ??
            (await this.ghl.createConversation(orgId, locationId, step.contactId));
          progress({ ...step });
        }
        await this.ghl.addInboundMessage(orgId, locationId, {
          conversationId: step.conversationId,
          contactId: step.contactId,
          message: step.body,
          attachments: step.attachments,
          altId: step.messageId,
          date: step.date,
        });
        return;
      }
    }
  }
}
