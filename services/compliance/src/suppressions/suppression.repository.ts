import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { Source, SuppressionSnapshot } from '../domain/suppression';
import type { SuppressionPosition } from './suppression-cursor';
import type { HistoryKind, HistoryRecord, SuppressionRecord } from './suppression.record';

const STATE = `phone_number AS "phoneNumber", opted_out AS "optedOut",
  opted_out_changed_at AS "optedOutChangedAt", opt_out_source AS "optOutSource",
  consent, consent_changed_at AS "consentChangedAt", consent_source AS "consentSource", dnd,
  version::int AS version, updated_at AS "updatedAt"`;

const HISTORY = `id, phone_number AS "phoneNumber", kind, source, actor_type AS "actorType",
  actor_id AS "actorId", reason, keyword, message_id AS "messageId", host(ip) AS ip,
  consent_text AS "consentText", occurred_at AS "occurredAt", recorded_at AS "recordedAt"`;

export interface HistoryInput {
  phoneNumber: string;
  kind: HistoryKind;
  source: Source;
  actorType: string;
  actorId: string;
  reason?: string | null;
  keyword?: string | null;
  messageId?: string | null;
  ip?: string | null;
  consentText?: string | null;
  occurredAt: Date;
  recordedAt: Date;
}

export interface SuppressionListFilter {
  /** Which list: numbers opted out, or numbers with consent. */
  list: 'optedOut' | 'consent';
  source?: Source;
  since?: Date;
  until?: Date;
  phoneNumber?: string;
}

/** SQL of `suppressions` (current state per number) and `suppression_history` (append-only). */
@Injectable()
export class SuppressionRepository {
  /**
   * Serializes every change of one number until the transaction ends (a number without a row
   * has nothing to lock FOR UPDATE yet).
   */
  async lock(tx: SqlRunner, orgId: string, phoneNumber: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `compliance:suppression:${orgId}:${phoneNumber}`,
    ]);
  }

  find(tx: SqlRunner, phoneNumber: string): Promise<SuppressionRecord | undefined> {
    return row<SuppressionRecord>(tx, `SELECT ${STATE} FROM suppressions WHERE phone_number = $1`, [
      phoneNumber,
    ]);
  }

  async save(
    tx: SqlRunner,
    orgId: string,
    phoneNumber: string,
    state: SuppressionSnapshot,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO suppressions (org_id, phone_number, opted_out, opted_out_changed_at,
         opt_out_source, consent, consent_changed_at, consent_source, dnd, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (org_id, phone_number) DO UPDATE SET
         opted_out = EXCLUDED.opted_out,
         opted_out_changed_at = EXCLUDED.opted_out_changed_at,
         opt_out_source = EXCLUDED.opt_out_source,
         consent = EXCLUDED.consent,
         consent_changed_at = EXCLUDED.consent_changed_at,
         consent_source = EXCLUDED.consent_source,
         dnd = EXCLUDED.dnd,
         version = EXCLUDED.version,
         updated_at = EXCLUDED.updated_at`,
      [
        orgId,
        phoneNumber,
        state.optedOut,
        state.optedOutChangedAt,
        state.optOutSource,
        state.consent,
        state.consentChangedAt,
        state.consentSource,
        state.dnd,
        state.version,
        at,
      ],
    );
  }

  /**
   * Appends a history entry; false when it names an inbound message that already has one (a
   * replayed keyword: nothing is recorded or sent twice).
   */
  async addHistory(tx: SqlRunner, orgId: string, entry: HistoryInput): Promise<string | null> {
    const id = randomUUID();
    const inserted = await rows(
      tx,
      `INSERT INTO suppression_history (org_id, id, phone_number, kind, source, actor_type,
         actor_id, reason, keyword, message_id, ip, consent_text, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (org_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        orgId,
        id,
        entry.phoneNumber,
        entry.kind,
        entry.source,
        entry.actorType,
        entry.actorId,
        entry.reason ?? null,
        entry.keyword ?? null,
        entry.messageId ?? null,
        entry.ip ?? null,
        entry.consentText ?? null,
        entry.occurredAt,
        entry.recordedAt,
      ],
    );
    return inserted.length > 0 ? id : null;
  }

  /** The number's history, newest first. */
  history(tx: SqlRunner, phoneNumber: string, limit: number): Promise<HistoryRecord[]> {
    return rows<HistoryRecord>(
      tx,
      `SELECT ${HISTORY} FROM suppression_history WHERE phone_number = $1
       ORDER BY recorded_at DESC, id DESC LIMIT $2`,
      [phoneNumber, limit],
    );
  }

  /**
   * One page of a list (opted out, or with consent), newest change first, keyset-paginated;
   * `limit + 1` rows so the caller knows whether more follow.
   */
  page(
    tx: SqlRunner,
    filter: SuppressionListFilter,
    limit: number,
    after?: SuppressionPosition,
  ): Promise<(SuppressionRecord & { micros: string })[]> {
    const [flag, changedAt, source] =
      filter.list === 'optedOut'
        ? ['opted_out', 'opted_out_changed_at', 'opt_out_source']
        : ['consent', 'consent_changed_at', 'consent_source'];
    const where = [flag];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.source) where.push(`${source} = ${param(filter.source)}`);
    if (filter.since) where.push(`${changedAt} >= ${param(filter.since)}`);
    if (filter.until) where.push(`${changedAt} < ${param(filter.until)}`);
    if (filter.phoneNumber) where.push(`phone_number = ${param(filter.phoneNumber)}`);
    const micros = `(extract(epoch from ${changedAt}) * 1000000)::bigint`;
    if (after) {
      where.push(
        `(${micros}, phone_number) < (${param(after.micros)}::bigint, ${param(after.phoneNumber)})`,
      );
    }
    return rows(
      tx,
      `SELECT ${STATE}, ${micros}::text AS micros FROM suppressions
       WHERE ${where.join(' AND ')}
       ORDER BY ${changedAt} DESC, phone_number DESC LIMIT ${param(limit + 1)}`,
      params,
    );
  }
}
