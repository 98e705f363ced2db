import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * `audit_log_prune(org, before, limit)`: as the two-argument version of 1730000000100 (which it
 * replaces), but deletes at most `limit` entries per call (NULL: all), so the retention job
 * works in batches. Still only the contiguous oldest entries, still recording the checkpoint.
 */
export class AuditPruneBatches1730000000102 implements MigrationInterface {
  name = 'AuditPruneBatches1730000000102';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await runner.query(`DROP FUNCTION audit_log_prune(uuid, timestamptz)`);
    await runner.query(`
      CREATE FUNCTION audit_log_prune(p_org uuid, p_before timestamptz, p_limit integer)
      RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        v_previous_tenant text := current_setting('app.org_id', true);
        v_stop_sequence bigint;
        v_last_sequence bigint;
        v_last_hash text;
        v_deleted bigint := 0;
      BEGIN
        IF p_limit IS NOT NULL AND p_limit < 1 THEN
          RAISE EXCEPTION 'audit_log_prune: limit must be positive';
        END IF;
        PERFORM set_config('app.org_id', p_org::text, true);
        -- Serialized with appends: the head is locked as they lock it.
        PERFORM 1 FROM audit_chain_heads h WHERE h.org_id = p_org FOR UPDATE;
        IF FOUND THEN
          -- Only a contiguous prefix: before the first entry received at or after the cutoff.
          SELECT min(a.sequence) INTO v_stop_sequence
            FROM audit_log a WHERE a.org_id = p_org AND a.received_at >= p_before;
          SELECT p.sequence, p.hash INTO v_last_sequence, v_last_hash
            FROM (SELECT a.sequence, a.hash FROM audit_log a
                   WHERE a.org_id = p_org AND (v_stop_sequence IS NULL OR a.sequence < v_stop_sequence)
                   ORDER BY a.sequence LIMIT p_limit) p
           ORDER BY p.sequence DESC LIMIT 1;
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
    await runner.query(
      `REVOKE ALL ON FUNCTION audit_log_prune(uuid, timestamptz, integer) FROM PUBLIC`,
    );
    await runner.query(
      `GRANT EXECUTE ON FUNCTION audit_log_prune(uuid, timestamptz, integer) TO ${app}`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION audit_log_prune(uuid, timestamptz, integer)`);
  }
}
