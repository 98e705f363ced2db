import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rows } from '@switchboard/tenancy';
import type { RetentionReportRecord } from './retention-report.record';

const COLUMNS = `id, org_id AS "orgId", run_id AS "runId", service, job, counts, policy,
  policy_version::int AS "policyVersion", started_at AS "startedAt", finished_at AS "finishedAt",
  recorded_at AS "recordedAt"`;

/** SQL of `retention_reports` (tenant transactions). */
@Injectable()
export class RetentionReportsRepository {
  /** Stores a report once (a re-delivered report changes nothing); true when stored. */
  async insert(tx: EntityManager, record: RetentionReportRecord): Promise<boolean> {
    const stored = await rows(
      tx,
      `INSERT INTO retention_reports (id, org_id, run_id, service, job, counts, policy,
         policy_version, started_at, finished_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        record.id,
        record.orgId,
        record.runId,
        record.service,
        record.job,
        JSON.stringify(record.counts),
        record.policy ? JSON.stringify(record.policy) : null,
        record.policyVersion,
        record.startedAt,
        record.finishedAt,
        record.recordedAt,
      ],
    );
    return stored.length > 0;
  }

  /** Newest first, after the keyset `(finishedAt, id)` when given; `limit` rows. */
  async page(
    tx: EntityManager,
    after: { finishedAt: Date; id: string } | undefined,
    limit: number,
  ): Promise<RetentionReportRecord[]> {
    return rows<RetentionReportRecord>(
      tx,
      `SELECT ${COLUMNS} FROM retention_reports
        WHERE ($1::timestamptz IS NULL OR (finished_at, id) < ($1, $2::uuid))
        ORDER BY finished_at DESC, id DESC LIMIT $3`,
      [after?.finishedAt ?? null, after?.id ?? null, limit],
    );
  }
}
