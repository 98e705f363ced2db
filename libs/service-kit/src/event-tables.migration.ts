import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventTables } from '@switchboard/events';
import { appRoleOf } from '@switchboard/tenancy';

/** The timestamp of the event tables in every service: the first migration of each. */
export const EVENT_TABLES_TIMESTAMP = 1700000000000;

/**
 * The migration that creates a service's event tables (`outbox`, `processed_events`, the
 * relay's NOTIFY trigger; see createEventTables) and grants them to the application role
 * (DATABASE_URL's user). Named `EventTables<timestamp>`, as the migration each service used
 * to carry, so databases migrated before keep it as applied:
 *
 *   export const migrations = [eventTablesMigration(), AccountsSchema1700000000001, ...];
 */
export function eventTablesMigration(
  timestamp = EVENT_TABLES_TIMESTAMP,
): new () => MigrationInterface {
  const name = `EventTables${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await createEventTables(runner, appRoleOf());
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(
        'DROP TABLE processed_events; DROP TABLE outbox; DROP FUNCTION outbox_notify()',
      );
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
