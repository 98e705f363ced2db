import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/events';
import { row, rows } from '@switchboard/tenancy';
import type { PrivacyTaskRecord } from './privacy-task.record';

const COLUMNS = `org_id AS "orgId", request_id AS "requestId", kind, subject, status, section,
  cursor, sequence, counts, pseudonym`;

/** SQL of `privacy_tasks` (tenant transactions) and `privacy_task_queue` (global). */
@Injectable()
export class PrivacyTasksRepository {
  /**
   * Records a request to carry out (a new one, or one delivered again: a DONE task starts over,
   * which is harmless — erasure finds nothing left, an export is sent again and stored once).
   */
  async enqueue(
    tx: SqlRunner,
    task: Pick<PrivacyTaskRecord, 'orgId' | 'requestId' | 'kind' | 'subject' | 'pseudonym'>,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO privacy_tasks AS t (org_id, request_id, kind, subject, status, pseudonym,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $6)
       ON CONFLICT (org_id, request_id) DO UPDATE SET status = 'PENDING', section = 0,
         subject = EXCLUDED.subject,
         cursor = NULL, sequence = 0, counts = '{}', pseudonym = EXCLUDED.pseudonym,
         updated_at = EXCLUDED.updated_at
       WHERE t.status = 'DONE'`,
      [task.orgId, task.requestId, task.kind, JSON.stringify(task.subject), task.pseudonym, now],
    );
    await tx.query(
      `INSERT INTO privacy_task_queue (request_id, tenant_id, due_at) VALUES ($1, $2, $3)
       ON CONFLICT (request_id) DO NOTHING`,
      [task.requestId, task.orgId, now],
    );
  }

  /** Tasks waiting, oldest first (global: ids only). */
  async due(runner: SqlRunner, limit: number): Promise<{ requestId: string; orgId: string }[]> {
    return rows(
      runner,
      `SELECT request_id AS "requestId", tenant_id AS "orgId" FROM privacy_task_queue
        ORDER BY due_at LIMIT $1`,
      [limit],
    );
  }

  /** The task, locked for this transaction (another replica's run waits). */
  async lock(tx: SqlRunner, requestId: string): Promise<PrivacyTaskRecord | undefined> {
    return row<PrivacyTaskRecord>(
      tx,
      `SELECT ${COLUMNS} FROM privacy_tasks WHERE request_id = $1 FOR UPDATE`,
      [requestId],
    );
  }

  async saveProgress(tx: SqlRunner, task: PrivacyTaskRecord, now: Date): Promise<void> {
    await tx.query(
      // A finished task forgets its subject (a number, a user id) and its cursor.
      `UPDATE privacy_tasks SET section = $2, cursor = $3, sequence = $4, counts = $5,
         status = $6, pseudonym = $7, updated_at = $8,
         subject = CASE WHEN $6 = 'DONE' THEN jsonb_build_object('kind', subject->>'kind') ELSE subject END
        WHERE request_id = $1`,
      [
        task.requestId,
        task.section,
        task.status === 'DONE' ? null : task.cursor,
        task.sequence,
        JSON.stringify(task.counts),
        task.status,
        task.status === 'DONE' ? null : task.pseudonym,
        now,
      ],
    );
    if (task.status === 'DONE') await this.dequeue(tx, task.requestId);
  }

  async dequeue(tx: SqlRunner, requestId: string): Promise<void> {
    await tx.query(`DELETE FROM privacy_task_queue WHERE request_id = $1`, [requestId]);
  }
}
