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

/**
 * Creates `name(tenant uuid, <parameters>) RETURNS boolean`: `query` (a boolean expression over
 * tenant tables, `tenant` and the parameters) answered as that tenant — row-level security
 * applies as in a tenant transaction — in one statement, for a check outside any transaction
 * (e.g. whether a consumer has anything to do for an event, before it opens one). It sets the
 * tenant for its own query and puts the caller's back, so it changes nothing around it; only the
 * application role may call it.
 */
export async function createTenantCheck(
  runner: SqlRunner,
  name: string,
  /** The parameters after `tenant`: name → SQL type. */
  parameters: Record<string, string>,
  query: string,
  appRole: string,
): Promise<void> {
  const named = Object.entries(parameters).map(([param, type]) => `${ident(param)} ${type}`);
  const types = ['uuid', ...Object.values(parameters)].join(', ');
  await runner.query(`
    CREATE FUNCTION ${ident(name)}(${['tenant uuid', ...named].join(', ')}) RETURNS boolean
    LANGUAGE plpgsql AS $$
    DECLARE
      caller text := current_setting('${TENANT_SETTING}', true);
      answer boolean;
    BEGIN
      PERFORM set_config('${TENANT_SETTING}', tenant::text, true);
      answer := (${query});
      PERFORM set_config('${TENANT_SETTING}', coalesce(caller, ''), true);
      RETURN answer;
    END $$`);
  await runner.query(`REVOKE ALL ON FUNCTION ${ident(name)}(${types}) FROM PUBLIC`);
  await runner.query(`GRANT EXECUTE ON FUNCTION ${ident(name)}(${types}) TO ${ident(appRole)}`);
}

/** Grants the application role what a service needs on a table (and its sequences). */
export async function grantToApp(runner: SqlRunner, table: string, appRole: string): Promise<void> {
  await runner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${ident(table)} TO ${ident(appRole)}`,
  );
  await runner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident(appRole)}`);
}
