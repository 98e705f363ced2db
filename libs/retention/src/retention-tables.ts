import type { SqlRunner } from '@switchboard/events';

/**
 * The migration step of every service that runs retention jobs: `retention_policies`, the
 * service's projection of `compliance.policy.v1`'s retention periods, one row per organization
 * the service holds data for (0 = the default). Not a tenant table: the retention job reads it
 * to know whose tenant transactions to open and with which periods; it holds ids, numbers and
 * times only (on each service's reviewed list of global tables, keyed `tenant_id`).
 */
export async function createRetentionTables(runner: SqlRunner, appRole: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(appRole)) throw new Error(`not a safe role name: ${appRole}`);
  await runner.query(`
    CREATE TABLE retention_policies (
      tenant_id uuid PRIMARY KEY,
      body_retention_days integer NOT NULL DEFAULT 0 CHECK (body_retention_days >= 0),
      metadata_retention_months integer NOT NULL DEFAULT 0 CHECK (metadata_retention_months >= 0),
      audit_retention_days integer NOT NULL DEFAULT 0 CHECK (audit_retention_days >= 0),
      request_log_retention_days integer NOT NULL DEFAULT 0 CHECK (request_log_retention_days >= 0),
      policy_version bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await runner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON retention_policies TO ${appRole}`);
}

/** The reviewed reason for `retention_policies` on a service's list of global tables. */
export const RETENTION_GLOBAL_TABLES = Object.freeze({
  retention_policies:
    "projection of each organization's retention periods (ids and numbers), read by the retention job to open tenant transactions",
});
