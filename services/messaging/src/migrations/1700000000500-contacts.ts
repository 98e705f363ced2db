import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Contacts, lists and CSV imports (`contacts/`, `lists/`):
 * - `contacts`: one row per organization and number (E.164), with a name, string attributes and
 *   the opt-in evidence (source, IP, time, text); `last_import_id`/`last_import_row` say which
 *   import row last wrote it (a second row of the same number in one file is a duplicate);
 * - `contact_lists`: static lists and segments (an attribute filter); `member_count` is a
 *   counter kept by every membership write (static lists), never a COUNT(*) at read time;
 * - `contact_list_members`: static list membership;
 * - `contact_imports`: one CSV upload with its live progress counters;
 * - `contact_import_errors`: every row an import did not take as it was (the report).
 */
export class Contacts1700000000500 implements MigrationInterface {
  name = 'Contacts1700000000500';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'contacts',
      `id uuid PRIMARY KEY,
       phone_number text NOT NULL,
       name text,
       attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
       opt_in_source text,
       opt_in_ip text,
       opt_in_at timestamptz,
       opt_in_text text,
       last_import_id uuid,
       last_import_row bigint,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       UNIQUE (org_id, phone_number)`,
      app,
    );
    await runner.query(
      `CREATE INDEX contacts_by_created ON contacts (org_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX contacts_by_attributes ON contacts USING gin (attributes jsonb_path_ops)`,
    );
    await createTenantTable(
      runner,
      'contact_lists',
      `id uuid PRIMARY KEY,
       name text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('STATIC', 'SEGMENT')),
       filter jsonb,
       member_count bigint NOT NULL DEFAULT 0,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(
      `CREATE INDEX contact_lists_by_created ON contact_lists (org_id, created_at DESC, id DESC)`,
    );
    await createTenantTable(
      runner,
      'contact_list_members',
      `list_id uuid NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
       contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
       added_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, list_id, contact_id)`,
      app,
    );
    await runner.query(
      `CREATE INDEX contact_list_members_by_list ON contact_list_members (org_id, list_id, added_at DESC, contact_id DESC)`,
    );
    await runner.query(
      `CREATE INDEX contact_list_members_by_contact ON contact_list_members (contact_id)`,
    );
    await createTenantTable(
      runner,
      'contact_imports',
      `id uuid PRIMARY KEY,
       list_id uuid REFERENCES contact_lists (id) ON DELETE SET NULL,
       status text NOT NULL CHECK (status IN ('AWAITING_UPLOAD', 'RUNNING', 'COMPLETED', 'FAILED')),
       default_country text NOT NULL,
       rows_read bigint NOT NULL DEFAULT 0,
       rows_accepted bigint NOT NULL DEFAULT 0,
       rows_rejected bigint NOT NULL DEFAULT 0,
       rows_duplicate bigint NOT NULL DEFAULT 0,
       contacts_created bigint NOT NULL DEFAULT 0,
       contacts_updated bigint NOT NULL DEFAULT 0,
       failure text,
       upload_expires_at timestamptz NOT NULL,
       created_at timestamptz NOT NULL,
       started_at timestamptz,
       finished_at timestamptz`,
      app,
    );
    await runner.query(
      `CREATE INDEX contact_imports_by_created ON contact_imports (org_id, created_at DESC, id DESC)`,
    );
    await createTenantTable(
      runner,
      'contact_import_errors',
      `import_id uuid NOT NULL REFERENCES contact_imports (id) ON DELETE CASCADE,
       row_number bigint NOT NULL,
       seq integer NOT NULL,
       column_name text,
       reason text NOT NULL,
       detail text NOT NULL,
       PRIMARY KEY (org_id, import_id, row_number, seq)`,
      app,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE contact_import_errors, contact_imports, contact_list_members, contact_lists, contacts`,
    );
  }
}
