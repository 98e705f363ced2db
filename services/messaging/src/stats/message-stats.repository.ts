import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rows } from '@switchboard/tenancy';

/** SQL of the send statistics: outbound messages counted per UTC day and status. */
@Injectable()
export class MessageStatsRepository {
  /** In the caller's tenant transaction; a range scan of `messages_by_created`. */
  async countsSince(
    tx: EntityManager,
    since: Date,
  ): Promise<{ day: string; status: string; count: number }[]> {
    return rows(
      tx,
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, status,
              count(*)::int AS count
         FROM messages
        WHERE org_id = current_setting('app.org_id')::uuid AND created_at >= $1
          AND direction = 'OUTBOUND'
        GROUP BY 1, 2`,
      [since],
    );
  }
}
