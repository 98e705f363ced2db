import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/events';
import { affectedRows } from '@switchboard/tenancy';

/** SQL of the event tables' retention (`outbox`, `processed_events` of libs/events). */
@Injectable()
export class EventTablesRepository {
  /** Deletes up to `limit` published outbox rows published before `before`. */
  async deletePublishedOutbox(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at < $1 ORDER BY published_at LIMIT $2)`,
      [before, limit],
    );
  }

  /** Deletes up to `limit` processed-event ids recorded before `before`. */
  async deleteProcessedEvents(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM processed_events WHERE (consumer_group, event_id) IN (
         SELECT consumer_group, event_id FROM processed_events
          WHERE processed_at < $1 ORDER BY processed_at LIMIT $2)`,
      [before, limit],
    );
  }
}
