import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { Clock } from '@switchboard/service-kit';
import {
  DevicesPrivacyRepository,
  type DevicesScope,
  type ExportedRow,
} from './devices-privacy.repository';

function scopeOf(subject: PrivacySubject): DevicesScope {
  if (subject.kind === 'PHONE_NUMBER') return { phoneNumber: subject.phoneNumber };
  if (subject.kind === 'USER') return { userId: subject.userId };
  return { organization: true };
}

type Reader = (
  tx: EntityManager,
  scope: DevicesScope,
  after: { createdAt: string; id: string } | null,
  limit: number,
) => Promise<ExportedRow[]>;

/**
 * The devices' part of privacy requests. Export: the dispatch attempts to a number (body
 * included until redacted), the organization's phones (SIM numbers masked as stored) and
 * enrollment tokens (never a secret), a user's enrollment tokens. Erasure of a number: its
 * attempts lose body and number (a random pseudonym, irreversible); of a user: the author of
 * their enrollment tokens is replaced. Nothing is held back.
 */
@Injectable()
export class DevicesPrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(
    private readonly repository: DevicesPrivacyRepository,
    private readonly clock: Clock,
  ) {
    const section = (name: string, read: Reader): ExportSection => ({
      name,
      page: async (tx, subject, cursor, limit) => {
        const at = cursor ? cursor.lastIndexOf('|') : -1;
        const after = cursor ? { createdAt: cursor.slice(0, at), id: cursor.slice(at + 1) } : null;
        const found = await read(tx, scopeOf(subject), after, limit);
        const last = found.at(-1);
        return {
          items: found.map(({ cursorAt: _cursor, ...item }) => item),
          next: found.length === limit && last ? `${last.cursorAt}|${last.id}` : null,
        };
      },
    });
    this.sections = [
      section('deviceMessages', (tx, s, a, l) => this.repository.deviceMessages(tx, s, a, l)),
      section('devices', (tx, s, a, l) => this.repository.devices(tx, s, a, l)),
      section('enrollmentTokens', (tx, s, a, l) => this.repository.enrollments(tx, s, a, l)),
    ];
  }

  async erase(
    tx: EntityManager,
    subject: PrivacySubject,
    limit: number,
    pseudonym: string,
  ): Promise<{ counts: Record<string, number>; more: boolean }> {
    if (subject.kind === 'PHONE_NUMBER') {
      const n = await this.repository.eraseDeviceMessages(
        tx,
        subject.phoneNumber,
        pseudonym,
        this.clock.now(),
        limit,
      );
      return { counts: { device_messages_anonymized: n }, more: n === limit };
    }
    if (subject.kind === 'USER') {
      const n = await this.repository.eraseEnrollmentAuthor(tx, subject.userId, pseudonym, limit);
      return { counts: { enrollment_tokens_anonymized: n }, more: n === limit };
    }
    return { counts: {}, more: false };
  }

  legalHolds(): Promise<LegalHold[]> {
    return Promise.resolve([]);
  }
}
