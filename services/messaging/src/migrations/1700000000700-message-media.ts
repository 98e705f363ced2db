import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * Inbound MMS media kept by messaging (area G's block 17000000007xx; `media/`):
 * - `message_media`: one row per medium of an inbound message (its position in the message's
 *   media_urls): PENDING until fetched, then STORED (content type, size, the bytes) or FAILED
 *   (why); deleted with the message (cascade), by the retention's body step and by a privacy
 *   erasure of the number;
 * - `media_fetch_queue`: not a tenant table: the fetch jobs of every tenant (medium id,
 *   tenant_id, the carrier account whose credentials the carrier's media URL needs, tries,
 *   due time), claimed with `FOR UPDATE SKIP LOCKED`.
 */
export class MessageMedia1700000000700 implements MigrationInterface {
  name = 'MessageMedia1700000000700';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'message_media',
      `id uuid PRIMARY KEY,
       message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
       position integer NOT NULL,
       url text NOT NULL,
       status text NOT NULL CHECK (status IN ('PENDING', 'STORED', 'FAILED')),
       content_type text,
       size integer,
       data bytea,
       error text,
       fetched_at timestamptz,
       created_at timestamptz NOT NULL,
       UNIQUE (message_id, position)`,
      app,
    );
    await runner.query(`CREATE INDEX message_media_by_org ON message_media (org_id, message_id)`);
    await runner.query(
      `CREATE TABLE media_fetch_queue (
         media_id uuid PRIMARY KEY,
         tenant_id uuid NOT NULL,
         carrier_account_id uuid,
         tries integer NOT NULL DEFAULT 0,
         due_at timestamptz NOT NULL
       )`,
    );
    await runner.query(`CREATE INDEX media_fetch_queue_by_due ON media_fetch_queue (due_at)`);
    await grantToApp(runner, 'media_fetch_queue', app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE media_fetch_queue, message_media`);
  }
}
