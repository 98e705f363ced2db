import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventTables } from '@switchboard/events';
import { appRole } from '../database';

export class EventTables1700000000000 implements MigrationInterface {
  name = 'EventTables1700000000000';

  async up(runner: QueryRunner): Promise<void> {
    await createEventTables(runner, appRole());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'DROP TABLE processed_events; DROP TABLE outbox; DROP FUNCTION outbox_notify()',
    );
  }
}
