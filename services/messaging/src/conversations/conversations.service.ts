import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { normalizePhoneNumber } from '../domain/phone-number';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { ProjectionsRepository } from '../projections/projections.repository';
import type { ConversationRecord } from './conversation.record';
import { ConversationsRepository, type ConversationFilter } from './conversations.repository';

export const CONVERSATION_CURSOR = 'conversation';

@Injectable()
export class ConversationsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly conversations: ConversationsRepository,
    private readonly projections: ProjectionsRepository,
    private readonly clock: Clock,
  ) {}

  async list(
    orgId: string,
    filter: {
      contactNumber?: string | null;
      deviceId?: string | null;
      unreadOnly?: boolean | null;
    },
    request: PageRequest,
  ): Promise<Page<ConversationRecord>> {
    const window = pageWindow(CONVERSATION_CURSOR, request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const normalized: ConversationFilter = {
        deviceId: filter.deviceId ?? undefined,
        unreadOnly: filter.unreadOnly ?? undefined,
      };
      if (filter.contactNumber) {
        const country =
          (await this.projections.findOrganization(tx, orgId))?.defaultCountry ??
          this.config.DEFAULT_COUNTRY;
        const parsed = normalizePhoneNumber(filter.contactNumber, country);
        normalized.contactNumber = parsed.ok ? parsed.e164 : filter.contactNumber;
      }
      const rows =
        window.limit === 0
          ? []
          : await this.conversations.page(tx, orgId, normalized, window.limit + 1, window.after);
      return toPage(CONVERSATION_CURSOR, rows, window.limit, !!window.after, (c) => ({
        micros: c.lastMessageMicros,
        id: c.id,
      }));
    });
  }

  async get(orgId: string, id: string): Promise<ConversationRecord> {
    const record = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.conversations.findById(tx, id),
    );
    if (!record) throw notFound();
    return record;
  }

  async markRead(orgId: string, id: string): Promise<ConversationRecord> {
    const record = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.conversations.markRead(tx, id, this.clock.now()),
    );
    if (!record) throw notFound();
    return record;
  }
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.CONVERSATION_NOT_FOUND, 'No such conversation');
}
