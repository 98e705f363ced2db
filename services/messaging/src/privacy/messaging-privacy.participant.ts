import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { Clock } from '@switchboard/service-kit';
import { decodeKeyset, encodeKeyset } from './keyset';
import {
  MessagingPrivacyRepository,
  type ExportedMessageRow,
  type MessagingScope,
} from './messaging-privacy.repository';

/** Messaging holds nothing about a user: messages are the organization's, not a person's. */
function scopeOf(subject: PrivacySubject): MessagingScope | undefined {
  if (subject.kind === 'PHONE_NUMBER') return { phoneNumber: subject.phoneNumber };
  if (subject.kind === 'ORGANIZATION') return { organization: true };
  return undefined;
}

/**
 * Messaging's part of privacy requests. Export: the messages to or from the number (or all of
 * the organization's), its conversations and its contact. Erasure of a number: every message to or from it
 * loses body, media and metadata, and the number is replaced by a random pseudonym (the same
 * within one request, unrelated to the number: irreversible); conversations likewise. Kept:
 * the number's opt-out in the suppression projection (compliance's list is the legal hold).
 */
@Injectable()
export class MessagingPrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(
    private readonly repository: MessagingPrivacyRepository,
    private readonly clock: Clock,
  ) {
    const section = (
      name: string,
      read: (
        tx: EntityManager,
        scope: MessagingScope,
        after: { createdAt: string; id: string } | null,
        limit: number,
      ) => Promise<ExportedMessageRow[]>,
    ): ExportSection => ({
      name,
      page: async (tx, subject, cursor, limit) => {
        const scope = scopeOf(subject);
        if (!scope) return { items: [], next: null };
        const found = await read(tx, scope, decodeKeyset(cursor), limit);
        const last = found.at(-1);
        return {
          items: found.map(({ cursorAt: _cursor, ...item }) => item),
          next: found.length === limit && last ? encodeKeyset(last.cursorAt, last.id) : null,
        };
      },
    });
    this.sections = [
      section('messages', (tx, s, a, l) => this.repository.messages(tx, s, a, l)),
      section('conversations', (tx, s, a, l) => this.repository.conversations(tx, s, a, l)),
      section('contacts', (tx, s, a, l) => this.repository.contacts(tx, s, a, l)),
    ];
  }

  async erase(
    tx: EntityManager,
    subject: PrivacySubject,
    limit: number,
    pseudonym: string,
  ): Promise<{ counts: Record<string, number>; more: boolean }> {
    if (subject.kind !== 'PHONE_NUMBER') return { counts: {}, more: false };
    const messages = await this.repository.eraseMessages(
      tx,
      subject.phoneNumber,
      pseudonym,
      this.clock.now(),
      limit,
    );
    const conversations =
      messages < limit
        ? await this.repository.eraseConversations(tx, subject.phoneNumber, pseudonym, limit)
        : 0;
    const stickySenders =
      messages < limit && conversations < limit
        ? await this.repository.deleteCarrierStickySenders(tx, subject.phoneNumber, limit)
        : 0;
    const done = messages < limit && conversations < limit && stickySenders < limit;
    // The number's contact (at most one) and its list memberships, once the rest is done.
    const contacts = done ? await this.repository.deleteContacts(tx, subject.phoneNumber) : 0;
    return {
      counts: {
        ...(contacts ? { contacts_deleted: contacts } : {}),
        messages_anonymized: messages,
        conversations_anonymized: conversations,
        // Carriers' "last sender number used for this contact" (only when there was one).
        ...(stickySenders ? { carrier_sticky_senders_deleted: stickySenders } : {}),
      },
      more: messages === limit || conversations === limit || stickySenders === limit,
    };
  }

  async legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]> {
    if (subject.kind !== 'PHONE_NUMBER') return [];
    if (!(await this.repository.optedOut(tx, subject.phoneNumber))) return [];
    return [
      {
        data: 'opt-out (the pre-send copy of compliance’s opt-out list)',
        reason: 'TCPA/CTIA: an opt-out must be honoured on every later send, so it is kept',
        count: 1,
      },
    ];
  }
}
