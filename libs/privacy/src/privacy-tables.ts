import type { SqlRunner } from '@switchboard/events';
import { createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * The migration step of every service that takes part in privacy requests:
 * - `privacy_tasks` (tenant table): one row per request the service carries out — its subject
 *   and its progress (section, keyset cursor, next chunk sequence, counts), so an export of
 *   millions of rows goes page by page in short transactions and resumes after a restart;
 * - `privacy_task_queue` (global, ids and times only, like a scheduler queue): which tenants'
 *   tasks are waiting, so the worker knows whose tenant transactions to open.
 */
export async function createPrivacyTables(runner: SqlRunner, appRole: string): Promise<void> {
  await createTenantTable(
    runner,
    'privacy_tasks',
    `request_id uuid NOT NULL,
     kind text NOT NULL CHECK (kind IN ('EXPORT', 'ERASURE')),
     subject jsonb NOT NULL,
     status text NOT NULL CHECK (status IN ('PENDING', 'DONE')),
     section integer NOT NULL DEFAULT 0,
     cursor text,
     sequence integer NOT NULL DEFAULT 0,
     counts jsonb NOT NULL DEFAULT '{}',
     pseudonym text,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     PRIMARY KEY (org_id, request_id)`,
    appRole,
  );
  await runner.query(`
    CREATE TABLE privacy_task_queue (
      request_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      due_at timestamptz NOT NULL
    )`);
  await runner.query(`CREATE INDEX privacy_task_queue_due ON privacy_task_queue (due_at)`);
  await grantToApp(runner, 'privacy_task_queue', appRole);
}

/** The reviewed reason for `privacy_task_queue` on a service's list of global tables. */
export const PRIVACY_GLOBAL_TABLES = Object.freeze({
  privacy_task_queue:
    'the privacy worker queue of every tenant: (request id, tenant_id, due time), no content',
});
