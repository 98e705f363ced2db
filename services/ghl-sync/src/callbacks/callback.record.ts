import type { GhlStatusUpdate } from '../domain/message-status';

export type CallbackKind = 'MESSAGE_STATUS' | 'INBOUND_MESSAGE' | 'CONTACT_DND';

/** What a callback does, and how far it got (steps already done are not repeated). */
export type CallbackPayload =
  | { kind: 'MESSAGE_STATUS'; ghlMessageId: string; update: GhlStatusUpdate }
  | {
      kind: 'INBOUND_MESSAGE';
      messageId: string;
      phone: string;
      body: string;
      /** GHL's own URLs of the media (uploaded from `mediaLinks`), posted with the message. */
      attachments: string[];
      date: string;
      /** An MMS's media: our signed links, handed to GHL's upload (it copies the files). */
      mediaLinks?: string[];
      contactId?: string;
      conversationId?: string;
      /** Set once every medium was uploaded (or refused by GHL). */
      mediaUploaded?: boolean;
      /** Set just before the post, the one step not safe to repeat. */
      posting?: boolean;
    }
  | { kind: 'CONTACT_DND'; phone: string; set: boolean };

/** A row of `callbacks`: one call to GHL that must happen, queued in its cause's transaction. */
export interface CallbackRecord {
  id: string;
  orgId: string;
  locationId: string;
  kind: CallbackKind;
  /** Calls of one subject (a GHL message, a contact's number) leave in order. */
  subject: string;
  payload: CallbackPayload;
  state: 'PENDING' | 'DONE' | 'GIVEN_UP';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}
