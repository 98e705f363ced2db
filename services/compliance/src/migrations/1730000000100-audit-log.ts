import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * The audit log (src/audit, domain/audit-chain.ts).
 *
 * - `audit_log`: append-only. The application role may SELECT and INSERT only (no UPDATE, no
 *   DELETE, no TRUNCATE); each row is hash-chained to the previous one of its organization.
 *   Platform-level entries (no organization) form their own chain under the nil UUID, a tenant
 *   like any other for row-level security, so the table needs no global exception.
 * - `audit_chain_heads`: per organization the last sequence and hash (appends lock this row,
 *   so concurrent consumers never fork a chain) and the anchor verification starts from: the
 *   genesis hash, or after retention deleted the oldest entries, the checkpoint (sequence and
 *   hash of the last deleted entry). The application role may move the head, not the anchor.
 * - `audit_log_prune(org, before)`: the only way to delete entries. SECURITY DEFINER (runs as
 *   the owner): deletes the contiguous oldest entries received before `before` and records the
 *   checkpoint in the same transaction. The application role may execute it, nothing else.
 */
export class AuditLog1730000000100 implements MigrationInterface {
  name = 'AuditLog1730000000100';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'audit_log',
      `sequence bigint NOT NULL CHECK (sequence > 0),
       id uuid NOT NULL,
       occurred_at timestamptz NOT NULL,
       received_at timestamptz NOT NULL,
       actor_type text NOT NULL,
       actor_id text NOT NULL,
       actor_org_id text NOT NULL,
       action text NOT NULL,
       resource_type text NOT NULL,
       resource_id text NOT NULL,
       privileged boolean NOT NULL,
       reason text NOT NULL,
       outcome text NOT NULL,
       request_id text NOT NULL,
       correlation_id text NOT NULL,
       source_service text NOT NULL,
       metadata jsonb NOT NULL,
       prev_hash text NOT NULL,
       hash text NOT NULL,
       PRIMARY KEY (org_id, sequence),
       CONSTRAINT audit_log_event UNIQUE (org_id, id)`,
      app,
    );
    await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${app}`);
    await runner.query(`CREATE INDEX audit_log_actor ON audit_log (org_id, actor_id, sequence)`);
    await runner.query(`CREATE INDEX audit_log_action ON audit_log (org_id, action, sequence)`);
    await runner.query(
      `CREATE INDEX audit_log_resource ON audit_log (org_id, resource_type, resource_id, sequence)`,
    );
    await runner.query(`CREATE INDEX audit_log_occurred ON audit_log (org_id, occurred_at)`);
    await runner.query(`CREATE INDEX audit_log_received ON audit_log (org_id, received_at)`);

    await createTenantTable(
      runner,
      'audit_chain_heads',
      `last_sequence bigint NOT NULL CHECK (last_sequence >= 0),
       last_hash text NOT NULL,
       anchor_sequence bigint NOT NULL CHECK (anchor_sequence >= 0),
       anchor_hash text NOT NULL,
       pruned_entries bigint NOT NULL DEFAULT 0,
       pruned_at timestamptz,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id),
       CHECK (anchor_sequence <= last_sequence)`,
      app,
    );
    await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_chain_heads FROM ${app}`);
    await runner.query(
      `GRANT UPDATE (last_sequence, last_hash, updated_at) ON audit_chain_heads TO ${app}`,
    );

    await runner.query(`
      CREATE FUNCTION audit_log_prune(p_org uuid, p_before timestamptz) RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        v_previous_tenant text := current_setting('app.org_id', true);
        v_stop_sequence bigint;
        v_last_sequence bigint;
        v_last_hash text;
        v_deleted bigint := 0;
      BEGIN
        PERFORM set_config('app.org_id', p_org::text, true);
        -- Serialized with appends: the head is locked as they lock it.
        PERFORM 1 FROM audit_chain_heads h WHERE h.org_id = p_org FOR UPDATE;
        IF FOUND THEN
          -- Only a contiguous prefix: up to the first entry received at or after the cutoff.
          SELECT min(a.sequence) INTO v_stop_sequence
            FROM audit_log a WHERE a.org_id = p_org AND a.received_at >= p_before;
          SELECT a.sequence, a.hash INTO v_last_sequence, v_last_hash
            FROM audit_log a
           WHERE a.org_id = p_org AND (v_stop_sequence IS NULL OR a.sequence < v_stop_sequence)
           ORDER BY a.sequence DESC LIMIT 1;
          IF v_last_sequence IS NOT NULL THEN
            DELETE FROM audit_log a WHERE a.org_id = p_org AND a.sequence <= v_last_sequence;
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            UPDATE audit_chain_heads h
               SET anchor_sequence = v_last_sequence, anchor_hash = v_last_hash,
                   pruned_entries = h.pruned_entries + v_deleted, pruned_at = now()
             WHERE h.org_id = p_org;
          END IF;
        END IF;
        PERFORM set_config('app.org_id', coalesce(v_previous_tenant, ''), true);
        RETURN v_deleted;
      END $$`);
    await runner.query(`REVOKE ALL ON FUNCTION audit_log_prune(uuid, timestamptz) FROM PUBLIC`);
    await runner.query(`GRANT EXECUTE ON FUNCTION audit_log_prune(uuid, timestamptz) TO ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION audit_log_prune(uuid, timestamptz)`);
    await runner.query(`DROP TABLE audit_chain_heads`);
    await runner.query(`DROP TABLE audit_log`);
  }
}
