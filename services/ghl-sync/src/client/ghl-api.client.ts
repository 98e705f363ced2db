import { Inject, Injectable } from '@nestjs/common';
import { isDomainException } from '@switchboard/errors';
import { GhlSyncErrorCode } from '../common/ghl-sync.exception';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import type { GhlStatusUpdate } from '../domain/message-status';
import { GhlTokens } from '../installations/ghl-tokens.service';
import { GhlHttp, type GhlRequest } from './ghl-http';

/** The inbound message posted into a GHL conversation (`ProcessMessageBodyDto`). */
export interface GhlInboundMessage {
  conversationId: string;
  contactId: string;
  message: string;
  attachments: string[];
  /** Our message id: GHL's `altId`. */
  altId: string;
  date: string;
}

/**
 * The GHL endpoints the provider calls, as a location: its token (refreshed under the row lock
 * when it expires; after a 401 once more, then the call is repeated once), the `Version` each
 * endpoint's spec requires (configurable), and the bodies GHL's DTOs define — never `tags` on
 * a contact upsert (it replaces all of the contact's tags).
 */
@Injectable()
export class GhlApi {
  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly http: GhlHttp,
    private readonly tokens: GhlTokens,
  ) {}

  /** `PUT /conversations/messages/{id}/status` (idempotent). */
  async updateMessageStatus(
    orgId: string,
    locationId: string,
    ghlMessageId: string,
    update: GhlStatusUpdate,
  ): Promise<void> {
    await this.asLocation(orgId, locationId, {
      operation: 'conversations.messageStatus',
      method: 'PUT',
      path: `/conversations/messages/${encodeURIComponent(ghlMessageId)}/status`,
      version: this.config.GHL_VERSION_CONVERSATIONS,
      json: update,
    });
  }

  /** `POST /contacts/upsert` by phone: the contact's id. */
  async upsertContact(
    orgId: string,
    locationId: string,
    contact: { phone: string; smsDnd?: boolean },
  ): Promise<{ id: string; smsDnd: boolean | undefined }> {
    const body = await this.asLocation<{
      contact?: { id?: string; dndSettings?: { SMS?: { status?: string } }; dnd?: boolean };
    }>(orgId, locationId, {
      operation: 'contacts.upsert',
      method: 'POST',
      path: '/contacts/upsert',
      version: this.config.GHL_VERSION_CONTACTS,
      json: {
        locationId,
        phone: contact.phone,
        ...(contact.smsDnd === undefined
          ? {}
          : {
              dndSettings: {
                SMS: contact.smsDnd
                  ? { status: 'active', message: 'Opted out by keyword (Switchboard)' }
                  : { status: 'inactive' },
              },
            }),
      },
    });
    const id = body?.contact?.id;
    if (!id) throw new Error('GHL answered a contact upsert without a contact id');
    const status = body.contact?.dndSettings?.SMS?.status;
    return {
      id,
      smsDnd: status ? status !== 'inactive' : body.contact?.dnd,
    };
  }

  /** `GET /conversations/search?locationId&contactId`: the contact's conversation, if any. */
  async findConversation(
    orgId: string,
    locationId: string,
    contactId: string,
  ): Promise<string | undefined> {
    const body = await this.asLocation<{ conversations?: { id: string }[] }>(orgId, locationId, {
      operation: 'conversations.search',
      method: 'GET',
      path: '/conversations/search',
      query: { locationId, contactId },
      version: this.config.GHL_VERSION_CONVERSATIONS,
    });
    return body?.conversations?.[0]?.id;
  }

  /** A harmless read as the location (one conversation): tests the token and the connection. */
  async probe(orgId: string, locationId: string): Promise<void> {
    await this.asLocation(orgId, locationId, {
      operation: 'connection.test',
      method: 'GET',
      path: '/conversations/search',
      query: { locationId, limit: '1' },
      version: this.config.GHL_VERSION_CONVERSATIONS,
    });
  }

  /** `POST /conversations/`: a new conversation of the contact. */
  async createConversation(orgId: string, locationId: string, contactId: string): Promise<string> {
    const body = await this.asLocation<{ conversation?: { id?: string }; id?: string }>(
      orgId,
      locationId,
      {
        operation: 'conversations.create',
        method: 'POST',
        path: '/conversations/',
        version: this.config.GHL_VERSION_CONVERSATIONS,
        json: { locationId, contactId },
      },
    );
    const id = body?.conversation?.id ?? body?.id;
    if (!id) throw new Error('GHL answered a new conversation without its id');
    return id;
  }

  /**
   * `POST /conversations/messages/upload` (multipart) with the media's links: GHL copies the
   * files and answers with its own URLs (`uploadedFiles`: name → URL). Repeating it only
   * uploads a copy again.
   */
  async uploadAttachments(
    orgId: string,
    locationId: string,
    upload: { conversationId: string; contactId: string; attachmentUrls: string[] },
  ): Promise<string[]> {
    const body = await this.asLocation<{ uploadedFiles?: Record<string, unknown> }>(
      orgId,
      locationId,
      {
        operation: 'conversations.upload',
        method: 'POST',
        path: '/conversations/messages/upload',
        version: this.config.GHL_VERSION_CONVERSATIONS,
        multipart: {
          conversationId: upload.conversationId,
          contactId: upload.contactId,
          locationId,
          attachmentUrls: upload.attachmentUrls,
        },
      },
    );
    return Object.values(body?.uploadedFiles ?? {}).filter(
      (url): url is string => typeof url === 'string' && url.length > 0,
    );
  }

  /** `POST /conversations/messages/inbound` (not idempotent). */
  async addInboundMessage(
    orgId: string,
    locationId: string,
    message: GhlInboundMessage,
  ): Promise<string | undefined> {
    const body = await this.asLocation<{ messageId?: string }>(orgId, locationId, {
      operation: 'conversations.inbound',
      method: 'POST',
      path: '/conversations/messages/inbound',
      version: this.config.GHL_VERSION_CONVERSATIONS,
      json: {
        type: 'SMS',
        conversationId: message.conversationId,
        contactId: message.contactId,
        conversationProviderId: this.config.GHL_CONVERSATION_PROVIDER_ID,
        message: message.message,
        ...(message.attachments.length ? { attachments: message.attachments } : {}),
        altId: message.altId,
        date: message.date,
      },
    });
    return body?.messageId;
  }

  private async asLocation<T>(
    orgId: string,
    locationId: string,
    req: Omit<GhlRequest, 'token' | 'orgId' | 'locationId'>,
  ): Promise<T> {
    const token = await this.tokens.locationToken(orgId, locationId);
    try {
      return (await this.http.request<T>({ ...req, token, orgId, locationId })).body;
    } catch (e) {
      if (!isUnauthorized(e)) throw e;
      const fresh = await this.tokens.locationToken(orgId, locationId, token);
      return (await this.http.request<T>({ ...req, token: fresh, orgId, locationId })).body;
    }
  }
}

function isUnauthorized(e: unknown): boolean {
  return (
    isDomainException(e) &&
    e.code === GhlSyncErrorCode.GHL_REQUEST_FAILED &&
    e.details.status === 401
  );
}
