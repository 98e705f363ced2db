import type { SqlRunner } from './tenant-migrations';

/** TypeORM returns rows, a pg client a result with `.rows`. */
async function rowsOf<T>(runner: SqlRunner, sql: string, parameters?: unknown[]): Promise<T[]> {
  const result = (await runner.query(sql, parameters)) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * Tables that hold no tenant's data by design, each with the one-line reason a reviewer
 * accepted: `{ users: 'a person can belong to several organizations' }`. Tables outside
 * `public` are named `schema.table`.
 */
export type GlobalTables = Readonly<Record<string, string>>;

/** The global tables every service has through the libs: known, so no caller lists them. */
export const LIB_GLOBAL_TABLES: GlobalTables = Object.freeze({
  outbox:
    'libs/events: the relay publishes every tenant’s events; the tenant travels in the headers',
  processed_events: 'libs/events: ids of applied events per consumer group, no tenant data',
  schema_migrations: 'libs/tenancy runMigrations: the names of the applied migrations',
});

interface Relation {
  schema: string;
  table: string;
  kind: 'r' | 'p' | 'v' | 'm' | 'f';
  has_org_id: boolean;
  enabled: boolean;
  forced: boolean;
  owner: string;
  policies: number;
  security_invoker: boolean;
}

const KIND_NAMES: Record<Relation['kind'], string> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

/**
 * Checks a service database the way an auditor would. Every table, view, materialized view
 * and foreign table of every non-system schema must be either
 *
 * - tenant-isolated: an `org_id` column, row-level security enabled and forced, and at least
 *   one policy (a view: `security_invoker`, so its tables' policies apply to the caller), or
 * - global: on `globalTables` (the caller's reviewed list, each with a reason) or on
 *   LIB_GLOBAL_TABLES (the event and migration tables of the libs).
 *
 * A listed table that has an `org_id` column, that does not exist, or that has no reason is a
 * problem too, and so is an application role that owns a table, is superuser or has
 * BYPASSRLS. Returns the problems found; an empty list means isolated.
 */
export async function checkTenantIsolation(
  runner: SqlRunner,
  appRole: string,
  globalTables: GlobalTables,
): Promise<string[]> {
  const problems: string[] = [];
  const relations = await rowsOf<Relation>(
    runner,
    `SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind,
            EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
                       AND a.attnum > 0) AS has_org_id,
            c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
            pg_get_userbyid(c.relowner) AS owner,
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies,
            coalesce('security_invoker=true' = ANY (c.reloptions)
                     OR 'security_invoker=on' = ANY (c.reloptions), false) AS security_invoker
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      ORDER BY n.nspname, c.relname`,
  );
  const nameOf = (r: Relation) => (r.schema === 'public' ? r.table : `${r.schema}.${r.table}`);
  const present = new Set(relations.map(nameOf));
  const globals: Record<string, string> = { ...LIB_GLOBAL_TABLES, ...globalTables };

  for (const r of relations) {
    const name = nameOf(r);
    if (r.owner === appRole) problems.push(`${name}: owned by the application role ${appRole}`);
    if (name in globals) {
      if (r.has_org_id) {
        problems.push(`${name}: listed as global but has an org_id column (isolate it instead)`);
      }
      continue;
    }
    if (!r.has_org_id) {
      problems.push(
        `${name}: ${KIND_NAMES[r.kind]} without org_id that is not on the list of global tables`,
      );
      continue;
    }
    if (r.kind === 'v') {
      if (!r.security_invoker) {
        problems.push(`${name}: view without security_invoker (it reads as its owner, past RLS)`);
      }
      continue;
    }
    if (r.kind === 'm' || r.kind === 'f') {
      problems.push(`${name}: ${KIND_NAMES[r.kind]} with org_id cannot have row-level security`);
      continue;
    }
    if (!r.enabled) problems.push(`${name}: row-level security is not enabled`);
    if (!r.forced) problems.push(`${name}: row-level security is not forced`);
    if (r.policies === 0) problems.push(`${name}: has no policy`);
  }

  for (const [name, reason] of Object.entries(globalTables)) {
    if (!present.has(name)) problems.push(`${name}: listed as global but there is no such table`);
    if (typeof reason !== 'string' || reason.trim() === '' || /[\r\n]/.test(reason)) {
      problems.push(`${name}: listed as global without a one-line reason`);
    }
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
