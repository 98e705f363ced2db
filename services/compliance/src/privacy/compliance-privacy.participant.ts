import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { Clock } from '@switchboard/service-kit';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import { maskedNumber } from '../domain/privacy-request';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { CompliancePrivacyRepository, type ComplianceScope } from './compliance-privacy.repository';

const OPT_OUT_REASON =
  'TCPA/CTIA and the FCC 2024 opt-out rule: an opt-out (and DND) must be honoured on every later send and proven, so the state and its history are kept';

function scopeOf(subject: PrivacySubject): ComplianceScope {
  if (subject.kind === 'PHONE_NUMBER') return { phoneNumber: subject.phoneNumber };
  if (subject.kind === 'USER') return { actorId: subject.userId };
  return { organization: true };
}

/**
 * Compliance's own part of privacy requests. Export: the number's suppression state and its
 * history (consent evidence included), the entries a user made, or the whole organization's.
 * Erasure of a number: consent records and HELP entries deleted, consent cleared (published
 * to messaging); a number never opted out nor DND loses its state and history entirely; an
 * opted-out (or DND) number keeps state and opt-out history — the legal hold. A user's entries
 * stay (who changed an opt-out is part of the record), stated as a hold.
 */
@Injectable()
export class CompliancePrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(
    private readonly repository: CompliancePrivacyRepository,
    private readonly requests: PrivacyRequestsRepository,
    private readonly events: ComplianceEventsWriter,
    private readonly clock: Clock,
  ) {
    this.sections = [
      {
        name: 'suppressions',
        page: async (tx, subject, cursor, limit) => {
          const found = await this.repository.suppressions(tx, scopeOf(subject), cursor, limit);
          return {
            items: found,
            next: found.length === limit ? found[found.length - 1].phoneNumber : null,
          };
        },
      },
      {
        name: 'suppressionHistory',
        page: async (tx, subject, cursor, limit) => {
          // The cursor keeps recorded_at as PostgreSQL prints it (microseconds).
          const at = cursor ? cursor.lastIndexOf('|') : -1;
          const after = cursor
            ? { recordedAt: cursor.slice(0, at), id: cursor.slice(at + 1) }
            : null;
          const found = await this.repository.history(tx, scopeOf(subject), after, limit);
          const last = found.at(-1);
          return {
            items: found.map(({ cursorAt: _cursor, ...item }) => item),
            next: found.length === limit && last ? `${last.cursorAt}|${last.id}` : null,
          };
        },
      },
    ];
  }

  async erase(
    tx: EntityManager,
    subject: PrivacySubject,
    limit: number,
    _pseudonym: string,
    orgId: string,
  ): Promise<{ counts: Record<string, number>; more: boolean }> {
    if (subject.kind !== 'PHONE_NUMBER') return { counts: {}, more: false };
    const number = subject.phoneNumber;
    const deleted = await this.repository.deleteHistory(tx, number, limit);
    if (deleted === limit) return { counts: { history_entries_deleted: deleted }, more: true };
    const exportChunks = await this.requests.forgetNumber(
      tx,
      number,
      maskedNumber(number),
      this.clock.now(),
    );
    const state = await this.repository.state(tx, number);
    if (!state) {
      return {
        counts: { history_entries_deleted: deleted, export_chunks_deleted: exportChunks },
        more: false,
      };
    }
    const now = this.clock.now();
    let cleared = 0;
    if (state.consent) {
      const after = await this.repository.clearConsent(tx, number, now);
      await this.events.suppression(tx, orgId, number, after, now);
      cleared = 1;
    }
    if (state.optedOut || state.dnd) {
      return {
        counts: {
          history_entries_deleted: deleted,
          consents_cleared: cleared,
          export_chunks_deleted: exportChunks,
        },
        more: false,
      };
    }
    // Nothing to honour later: no legal hold, the number goes entirely.
    const rest = await this.repository.deleteHistory(tx, number, 1_000_000, true);
    await this.repository.deleteState(tx, number);
    return {
      counts: {
        history_entries_deleted: deleted + rest,
        consents_cleared: cleared,
        states_deleted: 1,
        export_chunks_deleted: exportChunks,
      },
      more: false,
    };
  }

  async legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]> {
    if (subject.kind === 'USER') {
      const count = await this.repository.entriesBy(tx, subject.userId);
      return count
        ? [
            {
              data: 'opt-out and consent history entries the user recorded (as their author)',
              reason: 'the opt-out record must show who changed it, for as long as it is kept',
              count,
            },
          ]
        : [];
    }
    if (subject.kind !== 'PHONE_NUMBER') return [];
    const state = await this.repository.state(tx, subject.phoneNumber);
    if (!state || !(state.optedOut || state.dnd)) return [];
    return [
      {
        data: 'opt-out / DND state and its history',
        reason: OPT_OUT_REASON,
        count: 1 + (await this.repository.keptHistory(tx, subject.phoneNumber)),
      },
    ];
  }
}
