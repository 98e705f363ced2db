import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { GhlPrivacyRepository, type GhlPrivacyScope } from './ghl-privacy.repository';

const scopeOf = (subject: PrivacySubject): GhlPrivacyScope | undefined =>
  subject.kind === 'PHONE_NUMBER'
    ? { phoneNumber: subject.phoneNumber }
    : subject.kind === 'ORGANIZATION'
      ? { organization: true }
      : undefined;

/**
 * ghl-sync's part of privacy requests. It holds a number in provider messages (which GHL
 * location wrote to it) and in callbacks (a pending inbound message's text, a DND update).
 * Export: both, for a number or the organization; users: nothing. Erasure of a number: it
 * leaves provider messages, pending inbound messages are deleted (posted ones are GHL's, the
 * controller's other processor); a DND update still to reach GHL is kept — the legal hold.
 */
@Injectable()
export class GhlPrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(private readonly repository: GhlPrivacyRepository) {
    const section = (
      name: string,
      read: typeof repository.providerMessages,
      key: string,
    ): ExportSection => ({
      name,
      page: async (tx, subject, cursor, limit) => {
        const scope = scopeOf(subject);
        if (!scope) return { items: [], next: null };
        const items = await read.call(repository, tx, scope, cursor, limit);
        const last = items.at(-1);
        return { items, next: items.length === limit && last ? String(last[key]) : null };
      },
    });
    this.sections = [
      section('ghlProviderMessages', repository.providerMessages, 'ghlMessageId'),
      section('ghlCallbacks', repository.callbacks, 'id'),
    ];
  }

  async erase(
    tx: EntityManager,
    subject: PrivacySubject,
    limit: number,
  ): Promise<{ counts: Record<string, number>; more: boolean }> {
    if (subject.kind !== 'PHONE_NUMBER') return { counts: {}, more: false };
    const forgotten = await this.repository.forgetProviderNumber(tx, subject.phoneNumber, limit);
    if (forgotten === limit) return { counts: { provider_numbers_cleared: forgotten }, more: true };
    const deleted = await this.repository.deletePendingInbound(
      tx,
      subject.phoneNumber,
      limit - forgotten,
    );
    return {
      counts: { provider_numbers_cleared: forgotten, pending_inbound_deleted: deleted },
      more: forgotten + deleted === limit,
    };
  }

  async legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]> {
    if (subject.kind !== 'PHONE_NUMBER') return [];
    const count = await this.repository.pendingDnd(tx, subject.phoneNumber);
    return count
      ? [
          {
            data: 'DND updates of the number still to reach GHL',
            reason: 'an opt-out must be honoured on every later send, GHL included (TCPA/CTIA)',
            count,
          },
        ]
      : [];
  }
}
