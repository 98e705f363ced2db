import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { stableUuid } from '../common/stable-id';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { signMediaLink, verifyMediaLink } from '../domain/media-link';
import { MessageLifecycle } from '../messages/message-lifecycle';
import { MediaRepository, type MediaRecord } from './media.repository';

/**
 * Inbound MMS media kept by messaging: queued in the inbound message's transaction (one
 * PENDING row per media URL and a fetch job the MediaFetchWorker takes), read for GraphQL
 * (`Message.media`, one query per page of messages) and served through short-lived signed
 * links (`/media/<id>?token=…`, forwarded by the gateway).
 */
@Injectable()
export class MediaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly media: MediaRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly clock: Clock,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
  ) {}

  /**
   * Queues the fetch of an inbound message's media, in its tenant transaction.
   * `carrierAccountId`: the account whose credentials the carrier's own media URLs need.
   */
  async queueInbound(
    tx: EntityManager,
    message: { id: string; mediaUrls: readonly string[] },
    carrierAccountId: string | null,
  ): Promise<void> {
    await this.media.addPending(
      tx,
      message.mediaUrls.map((url, position) => ({
        id: stableUuid('message-media', message.id, position),
        messageId: message.id,
        position,
        url,
      })),
      carrierAccountId,
      this.clock.now(),
    );
  }

  /**
   * In the transaction that settled one of a message's media (stored or given up), with the
   * message row locked first: when none of its media is pending any more, the message's
   * MEDIA_STORED event with links to the stored ones. The lock makes the last of concurrent
   * fetches of one message the one that reports, exactly once.
   */
  async settled(tx: EntityManager, messageId: string, settle: () => Promise<void>): Promise<void> {
    const message = await this.lifecycle.lockInbound(tx, messageId);
    await settle();
    if (!message) return;
    const media = await this.media.ofMessages(tx, [messageId]);
    if (media.length === 0 || media.some((m) => m.status === 'PENDING')) return;
    const links = media
      .filter((m) => m.status === 'STORED')
      .map((m) => this.linkTo(m, this.config.MEDIA_EVENT_LINK_TTL_SECONDS));
    await this.lifecycle.mediaStored(tx, message, links);
  }

  /** The media of a page of messages, by message id. */
  async ofMessages(
    orgId: string,
    messageIds: readonly string[],
  ): Promise<Map<string, MediaRecord[]>> {
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.media.ofMessages(tx, messageIds),
    );
    const byMessage = new Map<string, MediaRecord[]>();
    for (const medium of found) {
      const list = byMessage.get(medium.messageId) ?? [];
      list.push(medium);
      byMessage.set(medium.messageId, list);
    }
    return byMessage;
  }

  /** A signed link to a stored medium, valid `ttlSeconds` (MEDIA_LINK_TTL_SECONDS) from now. */
  linkTo(medium: MediaRecord, ttlSeconds = this.config.MEDIA_LINK_TTL_SECONDS): string {
    const expiresAt = new Date(this.clock.now().getTime() + ttlSeconds * 1000);
    const token = signMediaLink(
      this.config.DOWNLOAD_SIGNING_SECRET,
      medium.id,
      medium.orgId,
      expiresAt,
    );
    const base = this.config.PUBLIC_DOWNLOAD_BASE_URL.replace(/\/+$/, '');
    return `${base}/media/${medium.id}?token=${encodeURIComponent(token)}`;
  }

  /** The bytes behind a link: MEDIA_LINK_INVALID or MEDIA_NOT_FOUND otherwise. */
  async content(id: string, token: string): Promise<{ contentType: string; data: Buffer }> {
    const verified = isUuid(id)
      ? verifyMediaLink(
          this.config.DOWNLOAD_SIGNING_SECRET,
          id.toLowerCase(),
          token,
          this.clock.now(),
        )
      : undefined;
    if (!verified) {
      throw new MessagingException(
        MessagingErrorCode.MEDIA_LINK_INVALID,
        'The media link is invalid or has expired',
      );
    }
    const content = await inTenantTransaction(this.dataSource, verified.orgId, (tx) =>
      this.media.content(tx, id.toLowerCase()),
    );
    if (!content) {
      throw new MessagingException(MessagingErrorCode.MEDIA_NOT_FOUND, 'The medium is not stored');
    }
    return content;
  }
}
