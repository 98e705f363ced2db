import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';
import type { CallbackPayload, CallbackRecord } from './callback.record';

const COLUMNS = `id, org_id AS "orgId", location_id AS "locationId", kind, subject, payload, state,
  attempts, next_attempt_at AS "nextAttemptAt", last_error AS "lastError", created_at AS "createdAt"`;

/** SQL of `callbacks`, the queue of calls to GHL. */
@Injectable()
export class CallbacksRepository {
  async enqueue(
    tx: SqlRunner,
    input: {
      id: string;
      orgId: string;
      locationId: string;
      subject: string;
      payload: CallbackPayload;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO callbacks (org_id, id, location_id, kind, subject, payload, state, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $7)`,
      [
        input.orgId,
        input.id,
        input.locationId,
        input.payload.kind,
        input.subject,
        JSON.stringify(input.payload),
        input.at,
      ],
    );
  }

  /**
   * Due callbacks of the tenant, oldest first, locked (SKIP LOCKED: another worker takes
   * others); a callback waits while an older one of its subject is still pending (order).
   */
  due(tx: SqlRunner, now: Date, limit: number): Promise<CallbackRecord[]> {
    return rows(
      tx,
      `SELECT ${COLUMNS} FROM callbacks c
        WHERE state = 'PENDING' AND next_attempt_at <= $1
          AND NOT EXISTS (SELECT 1 FROM callbacks e
                           WHERE e.org_id = c.org_id AND e.subject = c.subject AND e.state = 'PENDING'
                             AND (e.created_at, e.id) < (c.created_at, c.id))
        ORDER BY created_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  }

  /** Done: personal data (number, text, media links) leaves the payload; the row stays as evidence. */
  async done(tx: SqlRunner, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE callbacks SET state = 'DONE', done_at = $2, last_error = NULL,
         payload = payload - 'phone' - 'body' - 'attachments' - 'mediaLinks'
       WHERE id = $1`,
      [id, at],
    );
  }

  /** Tries again at `at`; `counted`: the failure counts towards the attempts. */
  async retry(
    tx: SqlRunner,
    id: string,
    input: { at: Date; counted: boolean; error: string; payload: CallbackPayload },
  ): Promise<void> {
    await tx.query(
      `UPDATE callbacks SET next_attempt_at = $2, attempts = attempts + $3, last_error = $4, payload = $5
       WHERE id = $1`,
      [
        id,
        input.at,
        input.counted ? 1 : 0,
        input.error.slice(0, 500),
        JSON.stringify(input.payload),
      ],
    );
  }

  async giveUp(tx: SqlRunner, id: string, error: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE callbacks SET state = 'GIVEN_UP', last_error = $2, done_at = $3, attempts = attempts + 1,
         payload = payload - 'phone' - 'body' - 'attachments' - 'mediaLinks'
       WHERE id = $1`,
      [id, error.slice(0, 500), at],
    );
  }

  /** Pending callbacks of the organization (GraphQL, tests). */
  pendingCount(tx: SqlRunner): Promise<{ n: number }[]> {
    return rows(tx, `SELECT count(*)::int AS n FROM callbacks WHERE state = 'PENDING'`);
  }
}
