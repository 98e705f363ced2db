import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/tenancy';
import { decideQuota, type QuotaRefusal } from './quota-decision';
import { QuotaStateStore } from './quota-state.store';

/**
 * The pre-send quota check of a sending service, in the transaction that accepts the message:
 * null (allowed; the projection is debited) or the refusal code (REJECTED QUOTA_EXCEEDED /
 * INSUFFICIENT_FUNDS). An organization billing has published nothing for yet is allowed
 * (billing publishes a state as soon as it sees the organization).
 */
@Injectable()
export class QuotaPolicy {
  constructor(private readonly store: QuotaStateStore) {}

  async check(tx: SqlRunner, orgId: string, segments: number): Promise<QuotaRefusal | null> {
    const projection = await this.store.lock(tx, orgId);
    if (!projection) return null;
    const decision = decideQuota(projection, Math.max(1, segments));
    if (!decision.allowed) return decision.code;
    await this.store.debit(tx, orgId, decision.includedDebit, decision.walletDebitMinor);
    return null;
  }
}
