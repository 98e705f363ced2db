import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { UsageLine, UsageRecord } from './usage.record';

const USAGE = `org_id AS "orgId", message_id AS "messageId", period, accepted_at AS "acceptedAt",
  route, country, kind, segments, currency, unit_price_minor::float8 AS "unitPriceMinor",
  included_segments AS "includedSegments", overage_segments AS "overageSegments",
  overage_amount_minor::float8 AS "overageAmountMinor", wallet_segments AS "walletSegments",
  wallet_amount_minor::float8 AS "walletAmountMinor", state, left_platform AS "leftPlatform"`;

/** SQL of the usage ledger and the per-period allowance counters. */
@Injectable()
export class UsageRepository {
  /**
   * The periods each transaction locked (lockPeriod) and their included segments used as it
   * left them: the metering of several events in one transaction (a consumer's batch) locks and
   * reads a period once. Only this repository writes `included_used`.
   */
  private readonly lockedPeriods = new WeakMap<SqlRunner, Map<string, { used: number }>>();

  find(tx: SqlRunner, orgId: string, messageId: string, forUpdate = false) {
    return row<UsageRecord>(
      tx,
      `SELECT ${USAGE} FROM usage_entries WHERE org_id = $1 AND message_id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [orgId, messageId],
    );
  }

  /**
   * A message's entry, unless it has one (false: metered already, nothing written), with its
   * included segments added to its period's counter (locked by lockPeriod) in the same statement.
   */
  async insert(tx: SqlRunner, e: UsageRecord & { priceId: string }): Promise<boolean> {
    const inserted = await rows(
      tx,
      `WITH inserted AS (
         INSERT INTO usage_entries (org_id, message_id, period, accepted_at, route, country, kind,
           segments, currency, unit_price_minor, price_id, included_segments, overage_segments,
           overage_amount_minor, wallet_segments, wallet_amount_minor, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'ACCEPTED')
         ON CONFLICT (org_id, message_id) DO NOTHING RETURNING 1),
       counted AS (
         UPDATE billing_periods SET included_used = included_used + $12
          WHERE org_id = $1 AND period = $3 AND $12 <> 0 AND EXISTS (SELECT 1 FROM inserted))
       SELECT 1 FROM inserted`,
      [
        e.orgId,
        e.messageId,
        e.period,
        e.acceptedAt,
        e.route,
        e.country,
        e.kind,
        e.segments,
        e.currency,
        e.unitPriceMinor,
        e.priceId,
        e.includedSegments,
        e.overageSegments,
        e.overageAmountMinor,
        e.walletSegments,
        e.walletAmountMinor,
      ],
    );
    if (inserted.length === 0) return false;
    const locked = this.lockedPeriods.get(tx)?.get(`${e.orgId}:${e.period}`);
    if (locked) locked.used += e.includedSegments;
    return true;
  }

  async markLeft(tx: SqlRunner, orgId: string, messageId: string): Promise<void> {
    await tx.query(
      `UPDATE usage_entries SET left_platform = true WHERE org_id = $1 AND message_id = $2`,
      [orgId, messageId],
    );
  }

  async settle(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    state: 'CAPTURED' | 'REFUNDED',
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE usage_entries SET state = $3, settled_at = $4
        WHERE org_id = $1 AND message_id = $2 AND state = 'ACCEPTED'`,
      [orgId, messageId, state, at],
    );
  }

  /** The period's allowance used so far, as committed (no lock; 0 before the first message). */
  async periodUsed(tx: SqlRunner, orgId: string, period: string): Promise<number> {
    const found = await row<{ used: number }>(
      tx,
      `SELECT included_used::float8 AS used FROM billing_periods WHERE org_id = $1 AND period = $2`,
      [orgId, period],
    );
    return found?.used ?? 0;
  }

  /** The period's allowance used so far, the row locked (created at 0 the first time). */
  async lockPeriod(tx: SqlRunner, orgId: string, period: string): Promise<number> {
    // Locked by this transaction before: the row is still its own, and holds what it wrote.
    const locked = this.lockedPeriods.get(tx)?.get(`${orgId}:${period}`);
    if (locked) return locked.used;
    // One statement: the no-op update of an existing row takes its lock and returns it.
    const found = await row<{ used: number }>(
      tx,
      `INSERT INTO billing_periods (org_id, period) VALUES ($1, $2)
       ON CONFLICT (org_id, period) DO UPDATE SET included_used = billing_periods.included_used
       RETURNING included_used::float8 AS used`,
      [orgId, period],
    );
    let periods = this.lockedPeriods.get(tx);
    if (!periods) this.lockedPeriods.set(tx, (periods = new Map()));
    periods.set(`${orgId}:${period}`, { used: found!.used });
    return found!.used;
  }

  async addIncludedUsed(
    tx: SqlRunner,
    orgId: string,
    period: string,
    delta: number,
  ): Promise<void> {
    if (delta === 0) return;
    await tx.query(
      `UPDATE billing_periods SET included_used = included_used + $3 WHERE org_id = $1 AND period = $2`,
      [orgId, period, delta],
    );
    const locked = this.lockedPeriods.get(tx)?.get(`${orgId}:${period}`);
    if (locked) locked.used += delta;
  }

  /** Usage of the period by route, country and kind (refunded messages counted apart). */
  summary(tx: SqlRunner, orgId: string, period: string): Promise<UsageLine[]> {
    return rows<UsageLine>(
      tx,
      `SELECT route, country, kind,
         count(*) FILTER (WHERE state <> 'REFUNDED')::int AS messages,
         coalesce(sum(segments) FILTER (WHERE state <> 'REFUNDED'), 0)::int AS segments,
         coalesce(sum(included_segments) FILTER (WHERE state <> 'REFUNDED'), 0)::int AS "includedSegments",
         coalesce(sum(overage_segments) FILTER (WHERE state <> 'REFUNDED'), 0)::int AS "overageSegments",
         coalesce(sum(overage_amount_minor) FILTER (WHERE state <> 'REFUNDED'), 0)::float8 AS "overageAmountMinor",
         coalesce(sum(wallet_amount_minor) FILTER (WHERE state <> 'REFUNDED'), 0)::float8 AS "walletAmountMinor",
         count(*) FILTER (WHERE state = 'REFUNDED')::int AS "refundedMessages"
       FROM usage_entries WHERE org_id = $1 AND period = $2
       GROUP BY route, country, kind ORDER BY route, country, kind`,
      [orgId, period],
    );
  }
}
