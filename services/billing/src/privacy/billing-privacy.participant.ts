import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ExportSection,
  LegalHold,
  PrivacyParticipant,
  PrivacySubject,
} from '@switchboard/privacy';
import { BillingPrivacyRepository, type ExportedRow } from './billing-privacy.repository';

type Reader = (tx: EntityManager, after: string | null, limit: number) => Promise<ExportedRow[]>;

/**
 * Billing's part of privacy requests. Billing keeps no phone number and no person: metering
 * stores a message's destination **country** only, audit entries go to compliance, and a card is
 * Stripe's id, brand, last 4 digits and expiry. So a phone number or a user has nothing here to
 * export or erase (the service still answers, so the request is complete). The organization's
 * export has its billing records: the plan and subscription, the usage ledger, the wallet ledger,
 * the saved cards' summaries and the auto-recharge attempts. The usage and wallet ledgers are
 * financial records (bookkeeping and tax law: GDPR Art. 17(3)(b)), kept under a legal hold and
 * never erased on request; closing the organization does not delete them either.
 */
@Injectable()
export class BillingPrivacyParticipant implements PrivacyParticipant {
  readonly sections: ExportSection[];

  constructor(private readonly repository: BillingPrivacyRepository) {
    const section = (name: string, read: Reader): ExportSection => ({
      name,
      page: async (tx, subject, cursor, limit) => {
        if (subject.kind !== 'ORGANIZATION') return { items: [], next: null };
        const found = await read(tx, cursor, limit);
        const last = found.at(-1);
        return {
          items: found.map(({ cursor: _cursor, ...item }) => item),
          next: found.length === limit && last ? last.cursor : null,
        };
      },
    });
    this.sections = [
      section('plan', (tx, a, l) => this.repository.plan(tx, a, l)),
      section('usage', (tx, a, l) => this.repository.usage(tx, a, l)),
      section('walletLedger', (tx, a, l) => this.repository.walletLedger(tx, a, l)),
      section('paymentMethods', (tx, a, l) => this.repository.paymentMethods(tx, a, l)),
      section('autoRechargeAttempts', (tx, a, l) => this.repository.autoRechargeAttempts(tx, a, l)),
    ];
  }

  /** Nothing of a number or a user is stored; the organization's ledgers are a legal hold. */
  erase(): Promise<{ counts: Record<string, number>; more: boolean }> {
    return Promise.resolve({ counts: {}, more: false });
  }

  async legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]> {
    if (subject.kind !== 'ORGANIZATION') return [];
    return [
      {
        data: 'usage ledger and wallet ledger (usage_entries, wallet_entries)',
        reason:
          'financial records kept for the statutory bookkeeping period (GDPR Art. 17(3)(b)); they hold no phone number or message text',
        count: await this.repository.financialRecords(tx),
      },
    ];
  }
}
