import { Injectable } from '@nestjs/common';
import { isDomainException } from '@switchboard/errors';
import { GhlApi } from '../client/ghl-api.client';
import { GhlSyncErrorCode } from '../common/ghl-sync.exception';
import type { CallbackPayload, CallbackRecord } from './callback.record';

/**
 * Whether repeating what is left of the callback is harmless (the queue retries only then):
 * status updates, contact upserts, conversation lookups and media uploads are; an inbound
 * message's post is not, so once it was attempted (marked in the payload just before), a
 * failure that may have reached GHL is not repeated.
 */
export function retryIsSafe(payload: CallbackPayload): boolean {
  return payload.kind !== 'INBOUND_MESSAGE' || !payload.posting;
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
        if (step.mediaLinks?.length && !step.mediaUploaded) {
          step.attachments = await this.upload(
            callback,
            step.conversationId,
            step.contactId,
            step.mediaLinks,
          );
          step.mediaUploaded = true;
          progress({ ...step });
        }
        step.posting = true;
        progress({ ...step });
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

  /**
   * Each medium handed to GHL's upload by its link (GHL copies the file and answers with its
   * own URL), one at a time so one GHL refuses (a type it does not take: 415, too large: 413,
   * or a link it could not read) does not lose the others: a refused medium is left out (the
   * request log shows why); GHL being unavailable fails the callback, which is retried.
   */
  private async upload(
    callback: CallbackRecord,
    conversationId: string,
    contactId: string,
    links: string[],
  ): Promise<string[]> {
    const uploaded: string[] = [];
    for (const link of links) {
      try {
        uploaded.push(
          ...(await this.ghl.uploadAttachments(callback.orgId, callback.locationId, {
            conversationId,
            contactId,
            attachmentUrls: [link],
          })),
        );
      } catch (error) {
        const refused =
          isDomainException(error) && error.code === GhlSyncErrorCode.GHL_REQUEST_FAILED;
        if (!refused) throw error;
      }
    }
    return uploaded;
  }
}
