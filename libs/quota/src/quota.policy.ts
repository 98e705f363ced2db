import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/tenancy';
import { decideQuota, type QuotaProjection, type QuotaRefusal } from './quota-decision';
import { QuotaStateStore } from './quota-state.store';

/**
 * The pre-send quota check of a sending service, in the transaction that accepts the message, in
 * two steps so that one organization's sends do not queue behind each other for the whole
 * transaction (like the send-rate token bucket):
 *
 * 1. `check` early, without a lock, on the projection as committed: null (allowed) or the
 *    refusal code (REJECTED QUOTA_EXCEEDED / INSUFFICIENT_FUNDS);
 * 2. `take` as the transaction's last step, in one statement: debits the projection when the
 *    segments still fit, deciding again on the row as it is then. `false`: concurrent sends took
 *    what the check saw — the caller rolls its work back and sends again with `check(..., {
 *    lock: true })`, which decides under the row's lock (the take after it then cannot fail),
 *    so the refusal is stored like any other.
 *
 * Sends against one published state therefore never together exceed it. An organization billing
 * has published nothing for yet is allowed (billing publishes a state as soon as it sees the
 * organization).
 */
@Injectable()
export class QuotaPolicy {
  constructor(private readonly store: QuotaStateStore) {}

  /**
   * `segments` SMS segments, or with `mms` one MMS (no allowance, the MMS price). `known`: the
   * projection the caller read already in this transaction, without a lock
   * (quotaProjectionSubquery; null: none published) — used unless `lock` asks for a read under
   * the row's lock.
   */
  async check(
    tx: SqlRunner,
    orgId: string,
    segments: number,
    options: { lock?: boolean; mms?: boolean; known?: QuotaProjection | null } = {},
  ): Promise<QuotaRefusal | null> {
    const projection =
      options.known !== undefined && !options.lock
        ? options.known
        : await this.store.read(tx, orgId, options);
    if (!projection) return null;
    const decision = decideQuota(projection, Math.max(1, segments), options.mms);
    return decision.allowed ? null : decision.code;
  }

  /**
   * A batch's check, without a lock: whether `segments` SMS segments in all fit the projection
   * as committed. When they do, each of the batch's messages fits too, one after the other
   * (the decision is linear in segments), so every one of them is allowed.
   */
  async fitsAll(tx: SqlRunner, orgId: string, segments: number): Promise<boolean> {
    const projection = await this.store.read(tx, orgId);
    return !projection || decideQuota(projection, Math.max(1, segments)).allowed;
  }

  /** The last step: true when debited (or there is nothing to debit), false when it no longer fits. */
  async take(
    tx: SqlRunner,
    orgId: string,
    segments: number,
    options: { mms?: boolean } = {},
  ): Promise<boolean> {
    const { taken, known } = await this.store.take(tx, orgId, Math.max(1, segments), options.mms);
    return taken || !known;
  }
}
