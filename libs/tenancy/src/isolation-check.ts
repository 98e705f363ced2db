import type { SqlRunner } from './tenant-migrations';

/** TypeORM returns rows, a pg client a result with `.rows`. */
async function rowsOf<T>(runner: SqlRunner, sql: string, parameters?: unknown[]): Promise<T[]> {
  const result = (await runner.query(sql, parameters)) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * Checks a service database the way an auditor would: every table with an `org_id` column has
 * row-level security enabled and forced and at least one policy, and the application role can
 * not get around it (not superuser, not BYPASSRLS, owns no table). Returns the problems found;
 * an empty list means isolated.
 */
export async function checkTenantIsolation(runner: SqlRunner, appRole: string): Promise<string[]> {
  const problems: string[] = [];
  const tables = await rowsOf<{
    table: string;
    enabled: boolean;
    forced: boolean;
    owner: string;
    policies: number;
  }>(
    runner,
    `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
            pg_get_userbyid(c.relowner) AS owner,
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
  );
  for (const t of tables) {
    if (!t.enabled) problems.push(`${t.table}: row-level security is not enabled`);
    if (!t.forced) problems.push(`${t.table}: row-level security is not forced`);
    if (t.policies === 0) problems.push(`${t.table}: has no policy`);
    if (t.owner === appRole) problems.push(`${t.table}: owned by the application role ${appRole}`);
  }
  const roles = await rowsOf<{ rolsuper: boolean; rolbypassrls: boolean }>(
    runner,
    `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`,
    [appRole],
  );
  if (roles.length === 0) problems.push(`application role ${appRole} does not exist`);
  else {
    if (roles[0].rolsuper) problems.push(`application role ${appRole} is a superuser`);
    if (roles[0].rolbypassrls) problems.push(`application role ${appRole} has BYPASSRLS`);
  }
  return problems;
}
