import { TENANT_SETTING } from './tenant-transaction';

/** Anything that runs SQL: a TypeORM QueryRunner, EntityManager or a pg client. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return name;
}

/**
 * The predicate of every tenant policy. `NULLIF(..., '')`: after a transaction-local
 * set_config a pooled connection holds '' rather than NULL, and ''::uuid would raise; with
 * NULLIF no tenant means NULL, which matches no row.
 */
export const TENANT_PREDICATE = `org_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid`;

/**
 * Makes `table` (which has an `org_id uuid NOT NULL` column) tenant-isolated: row-level
 * security enabled AND forced (so even the owner obeys it), one policy for reads and writes
 * (`USING` + `WITH CHECK`), and data-manipulation rights for the application role.
 */
export async function enableTenantIsolation(
  runner: SqlRunner,
  table: string,
  appRole: string,
): Promise<void> {
  const t = ident(table);
  await runner.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
  await runner.query(`DROP POLICY IF EXISTS tenant_isolation ON ${t}`);
  await runner.query(
    `CREATE POLICY tenant_isolation ON ${t} USING (${TENANT_PREDICATE}) WITH CHECK (${TENANT_PREDICATE})`,
  );
  await grantToApp(runner, t, appRole);
}

/**
 * Creates a tenant table: `org_id uuid NOT NULL` first, then `columns` (SQL column and
 * constraint definitions), then isolation as above.
 */
export async function createTenantTable(
  runner: SqlRunner,
  table: string,
  columns: string,
  appRole: string,
): Promise<void> {
  await runner.query(`CREATE TABLE ${ident(table)} (org_id uuid NOT NULL, ${columns})`);
  await enableTenantIsolation(runner, table, appRole);
}

/** Grants the application role what a service needs on a table (and its sequences). */
export async function grantToApp(runner: SqlRunner, table: string, appRole: string): Promise<void> {
  await runner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${ident(table)} TO ${ident(appRole)}`,
  );
  await runner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident(appRole)}`);
}
