import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPrivacyTables } from '@switchboard/privacy';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * GDPR/CCPA requests:
 * - `privacy_requests`: each request (export or erasure), its subject, who asked, its state;
 * - `privacy_participants`: each expected service's answer (done, chunks sent, counts, legal
 *   holds);
 * - `privacy_export_chunks`: the export's parts as the services sent them (≤ 256 KiB each),
 *   streamed into one JSON document by the download;
 * - compliance's own participant tables (libs/privacy: `privacy_tasks`, `privacy_task_queue`).
 */
export class Privacy1730000000201 implements MigrationInterface {
  name = 'Privacy1730000000201';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'privacy_requests',
      `id uuid PRIMARY KEY,
       kind text NOT NULL CHECK (kind IN ('EXPORT', 'ERASURE')),
       subject_kind text NOT NULL CHECK (subject_kind IN ('USER', 'ORGANIZATION', 'PHONE_NUMBER')),
       subject_user_id text,
       subject_phone_number text,
       status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED')),
       requested_by_type text NOT NULL,
       requested_by_id text NOT NULL,
       requested_at timestamptz NOT NULL,
       completed_at timestamptz,
       expires_at timestamptz,
       last_published_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(
      `CREATE INDEX privacy_requests_pending ON privacy_requests (last_published_at) WHERE status = 'PENDING'`,
    );
    await createTenantTable(
      runner,
      'privacy_participants',
      `request_id uuid NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
       service text NOT NULL,
       done_at timestamptz,
       chunks integer,
       counts jsonb NOT NULL DEFAULT '{}',
       legal_holds jsonb NOT NULL DEFAULT '[]',
       PRIMARY KEY (request_id, service)`,
      app,
    );
    await createTenantTable(
      runner,
      'privacy_export_chunks',
      `request_id uuid NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
       service text NOT NULL,
       sequence integer NOT NULL CHECK (sequence >= 0),
       section text NOT NULL,
       items text[] NOT NULL,
       PRIMARY KEY (request_id, service, sequence)`,
      app,
    );
    await createPrivacyTables(runner, app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE privacy_task_queue, privacy_tasks, privacy_export_chunks, privacy_participants, privacy_requests`,
    );
  }
}
