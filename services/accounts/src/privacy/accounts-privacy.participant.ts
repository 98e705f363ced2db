import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { Clock } from '@switchboard/service-kit';
import { AccountsPrivacyRepository, type AccountsScope } from './accounts-privacy.repository';

function scopeOf(subject: PrivacySubject): AccountsScope | undefined {
  if (subject.kind === 'USER') return { userId: subject.userId };
  if (subject.kind === 'ORGANIZATION') return { organization: true };
  return undefined; // accounts holds no phone numbers of recipients
}

/**
 * Accounts' part of privacy requests. Export: the organization, its members (or the user's
 * own account and membership), the user's sessions, API tokens (never a hash) and
 * invitations. Erasure of a user (their own request): their sessions, membership and mail
 * tokens go, their name is removed from API tokens and invitations, and once they belong to no
 * organization the account is anonymized (no email, name, password or Google link). The last
 * owner of an organization is not removed (it would be left without one): a stated hold.
 */
@Injectable()
export class AccountsPrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(
    private readonly repository: AccountsPrivacyRepository,
    private readonly clock: Clock,
  ) {
    type Reader = (
      tx: EntityManager,
      scope: AccountsScope,
      after: string | null,
      limit: number,
    ) => Promise<({ id: string } & Record<string, unknown>)[]>;
    const section = (name: string, read: Reader): ExportSection => ({
      name,
      page: async (tx, subject, cursor, limit) => {
        const scope = scopeOf(subject);
        if (!scope) return { items: [], next: null };
        const found = await read(tx, scope, cursor, limit);
        return { items: found, next: found.length === limit ? found[found.length - 1].id : null };
      },
    });
    this.sections = [
      section('organization', async (tx, scope, after) =>
        'organization' in scope && !after ? this.repository.organization(tx) : [],
      ),
      section('members', (tx, s, a, l) => this.repository.members(tx, s, a, l)),
      section('sessions', (tx, s, a, l) => this.repository.sessions(tx, s, a, l)),
      section('apiTokens', (tx, s, a, l) => this.repository.apiTokens(tx, s, a, l)),
      section('invitations', (tx, s, a, l) => this.repository.invitations(tx, s, a, l)),
    ];
  }

  async erase(
    tx: EntityManager,
    subject: PrivacySubject,
    _limit: number,
    pseudonym: string,
  ): Promise<{ counts: Record<string, number>; more: boolean }> {
    if (subject.kind !== 'USER') return { counts: {}, more: false };
    const membership = await this.repository.membership(tx, subject.userId);
    if (membership?.role === 'CUSTOMER' && membership.owners <= 1) {
      return { counts: {}, more: false }; // the last owner: see legalHolds
    }
    const removed = await this.repository.removeMember(tx, subject.userId);
    const others = await this.repository.otherMemberships(tx, subject.userId);
    const anonymized =
      others === 0
        ? await this.repository.anonymizeUser(tx, subject.userId, pseudonym, this.clock.now())
        : 0;
    return {
      counts: {
        sessions_deleted: removed.sessions,
        memberships_deleted: removed.memberships,
        accounts_anonymized: anonymized,
      },
      more: false,
    };
  }

  async legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]> {
    if (subject.kind !== 'USER') return [];
    const membership = await this.repository.membership(tx, subject.userId);
    if (membership?.role === 'CUSTOMER' && membership.owners <= 1) {
      return [
        {
          data: 'the account and its membership as the organization’s only owner',
          reason:
            'an organization must keep an owner: transfer ownership, or close the organization (purged 30 days later)',
          count: 1,
        },
      ];
    }
    return [];
  }
}
