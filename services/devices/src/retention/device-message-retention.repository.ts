import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows } from '@switchboard/tenancy';
import { FINAL_AT_SQL } from './final-at';

/** SQL of the devices' retention (the caller's tenant transaction; batches of `limit` rows). */
@Injectable()
export class DeviceMessageRetentionRepository {
  /** Empties the bodies of rows final before `before`; returns how many. */
  async redactBodies(tx: EntityManager, before: Date, at: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `UPDATE device_messages SET body = '', body_redacted_at = $2
        WHERE id IN (
          SELECT id FROM device_messages
           WHERE body_redacted_at IS NULL AND ${FINAL_AT_SQL} < $1
           ORDER BY ${FINAL_AT_SQL} LIMIT $3)`,
      [before, at, limit],
    );
  }

  /** Deletes rows final before `before`; returns how many. */
  async purge(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM device_messages WHERE id IN (
         SELECT id FROM device_messages WHERE ${FINAL_AT_SQL} < $1
          ORDER BY ${FINAL_AT_SQL} LIMIT $2)`,
      [before, limit],
    );
  }
}
