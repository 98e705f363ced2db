import { Injectable } from '@nestjs/common';
import type { KeysetPosition } from '@switchboard/service-kit';
import { rows, type SqlRunner } from '@switchboard/tenancy';
import type { RequestLogRecord } from './request-log.record';

/** SQL of `request_log`: one row per request to GHL (no bodies, no tokens). */
@Injectable()
export class RequestLogRepository {
  async add(tx: SqlRunner, entry: RequestLogRecord): Promise<void> {
    await tx.query(
      `INSERT INTO request_log (org_id, id, location_id, operation, method, path, status, duration_ms, error, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        entry.orgId,
        entry.id,
        entry.locationId,
        entry.operation,
        entry.method,
        entry.path,
        entry.status,
        entry.durationMs,
        entry.error,
        entry.at,
      ],
    );
  }

  /** Newest first, after the keyset cursor (microseconds, id) when given; `limit` rows. */
  page(
    tx: SqlRunner,
    orgId: string,
    filter: { locationId?: string | null },
    limit: number,
    after?: KeysetPosition,
  ): Promise<(RequestLogRecord & { micros: string })[]> {
    return rows(
      tx,
      `SELECT org_id AS "orgId", id, location_id AS "locationId", operation, method, path, status,
              duration_ms AS "durationMs", error, at,
              (extract(epoch FROM at) * 1000000)::bigint::text AS micros
         FROM request_log
        WHERE org_id = $1
          AND ($3::text IS NULL OR location_id = $3)
          AND ($4::bigint IS NULL
               OR ((extract(epoch FROM at) * 1000000)::bigint, id) < ($4::bigint, $5::uuid))
        ORDER BY at DESC, id DESC
        LIMIT $2`,
      [orgId, limit, filter.locationId ?? null, after?.micros ?? null, after?.id ?? null],
    );
  }

  /** Entries older than `before` (the organization's request-log retention), a batch. */
  async prune(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    const removed = await rows(
      tx,
      `DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE at < $1 LIMIT $2) RETURNING id`,
      [before, limit],
    );
    return removed.length;
  }
}
