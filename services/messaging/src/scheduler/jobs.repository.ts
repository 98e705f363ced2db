import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rows, type SqlStatement } from '@switchboard/tenancy';

/** dispatch at scheduledAt, expire at validUntil, route-deadline: a device route's failover time. */
export type JobKind = 'dispatch' | 'expire' | 'route-deadline';

/** A timer to set (or move) of a message. */
export interface TimerJob {
  tenantId: string;
  messageId: string;
  kind: JobKind;
  dueAt: Date;
}

export interface ScheduledJob {
  id: string;
  tenantId: string;
  messageId: string;
  kind: JobKind;
  dueAt: Date;
  attempts: number;
}

/**
 * The scheduler's queue (`scheduled_jobs`): one row per pending timed action of a message —
 * its dispatch at `scheduledAt`, its expiry at `validUntil`. Rows are written and deleted in
 * the same transactions as the message changes they belong to.
 */
@Injectable()
export class JobsRepository {
  async schedule(
    tx: EntityManager,
    job: { tenantId: string; messageId: string; kind: JobKind; dueAt: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO scheduled_jobs (tenant_id, message_id, kind, due_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (message_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, attempts = 0, last_error = NULL`,
      [job.tenantId, job.messageId, job.kind, job.dueAt],
    );
  }

  /**
   * Several timers in one statement (a new message's, a batch chunk's; one per message and
   * kind), to run with runTogether; none for no jobs.
   */
  scheduleAllStatement(jobs: readonly TimerJob[]): SqlStatement | undefined {
    if (jobs.length === 0) return undefined;
    return {
      text: `INSERT INTO scheduled_jobs (tenant_id, message_id, kind, due_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
       ON CONFLICT (message_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, attempts = 0, last_error = NULL`,
      values: [
        jobs.map((j) => j.tenantId),
        jobs.map((j) => j.messageId),
        jobs.map((j) => j.kind),
        jobs.map((j) => j.dueAt),
      ],
    };
  }

  /**
   * Locks a message's timers. Taken before the message row by a change that may cancel them, in
   * the scheduler's order (it takes due timers, then their messages): the change then waits for
   * a scheduler run holding them instead of deadlocking with it.
   */
  async lockFor(tx: EntityManager, messageId: string): Promise<void> {
    await tx.query(`SELECT id FROM scheduled_jobs WHERE message_id = $1 FOR UPDATE`, [messageId]);
  }

  async cancel(
    tx: EntityManager,
    messageId: string,
    kinds: JobKind[] = ['dispatch', 'expire', 'route-deadline'],
  ): Promise<void> {
    await tx.query(`DELETE FROM scheduled_jobs WHERE message_id = $1 AND kind = ANY($2::text[])`, [
      messageId,
      kinds,
    ]);
  }

  /**
   * Takes up to `limit` jobs due by `now` (the service's clock, like the due times it wrote)
   * out of the queue, in due order. `FOR UPDATE SKIP LOCKED`: a
   * replica never waits for nor takes the jobs another replica's open transaction holds; a
   * crash rolls the deletion back, so the jobs are taken again.
   */
  async claimDue(tx: EntityManager, limit: number, now: Date): Promise<ScheduledJob[]> {
    const claimed = await rows<Record<string, unknown>>(
      tx,
      `DELETE FROM scheduled_jobs WHERE id IN (
         SELECT id FROM scheduled_jobs WHERE due_at <= $2 ORDER BY due_at
          LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, tenant_id, message_id, kind, due_at, attempts`,
      [limit, now],
    );
    return claimed
      .map((row) => ({
        id: String(row.id),
        tenantId: row.tenant_id as string,
        messageId: row.message_id as string,
        kind: row.kind as JobKind,
        dueAt: row.due_at as Date,
        attempts: Number(row.attempts),
      }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  /** Puts a job that failed back in the queue, later. */
  async retryLater(
    tx: EntityManager,
    job: ScheduledJob,
    error: string,
    delayMs: number,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO scheduled_jobs (tenant_id, message_id, kind, due_at, attempts, last_error)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)
       ON CONFLICT (message_id, kind) DO NOTHING`,
      [
        job.tenantId,
        job.messageId,
        job.kind,
        delayMs / 1000,
        job.attempts + 1,
        error.slice(0, 1000),
      ],
    );
  }

  /**
   * Runs one claimed job's work under a savepoint: when it fails, its part is undone and the
   * batch's transaction (and its other jobs) goes on; the error is rethrown.
   */
  async inSavepoint<T>(tx: EntityManager, work: () => Promise<T>): Promise<T> {
    await tx.query('SAVEPOINT job');
    try {
      const result = await work();
      await tx.query('RELEASE SAVEPOINT job');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT job');
      throw error;
    }
  }
}
