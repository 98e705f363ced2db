import type { DataSource, EntityManager } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isUuid, requireTenant } from './tenant-context';

/** The PostgreSQL setting row-level security policies read. */
export const TENANT_SETTING = 'app.org_id';

/**
 * Transaction-local settings other row-level security policies of a service read besides the
 * tenant, e.g. `{ 'app.user_id': userId }` (a user's own rows in every organization).
 */
export type RlsSettings = Readonly<Record<string, string>>;

/** Sets the tenant of the rest of an `inGlobalTransaction`, once the work knows it. */
export type EnterTenant = (orgId: string) => Promise<void>;

/**
 * Runs `work` in a transaction whose row-level security tenant is `orgId`:
 * `set_config('app.org_id', orgId, true)` is the first statement, and is local to the
 * transaction, so a pooled connection never carries a tenant into other work. Every tenant
 * read and write goes through here; outside such a transaction the policies see no tenant
 * and match no row (fail closed).
 */
export async function inTenantTransaction<T>(
  dataSource: DataSource,
  orgId: string,
  work: (manager: EntityManager) => Promise<T>,
  settings: RlsSettings = {},
): Promise<T> {
  if (!isUuid(orgId))
    throw new CommonException(CommonErrorCode.TENANT_REQUIRED, 'A valid organization is required');
  return dataSource.transaction(async (manager) => {
    await setTenant(manager, orgId);
    await applySettings(manager, settings);
    return work(manager);
  });
}

/**
 * Runs `work` in a transaction that starts without a tenant: for global tables (users,
 * signing keys, rate limits), for a sign-up before its organization exists, for lookups that
 * find the tenant (the organization of a presented token) and for a queue that serves every
 * tenant. Tenant tables show no row until `enterTenant(orgId)` — the work's second argument —
 * sets the tenant for the statements that follow (a queue enters each job's in turn).
 * `settings` are set first (see RlsSettings). When the organization is known up front, use
 * inTenantTransaction.
 */
export async function inGlobalTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager, enterTenant: EnterTenant) => Promise<T>,
  settings: RlsSettings = {},
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await applySettings(manager, settings);
    return work(manager, (orgId) => setTenant(manager, orgId));
  });
}

const SETTING_NAME = /^[a-z_]+\.[a-z_]+$/;

/**
 * Sets one transaction-local row-level security setting other than the tenant (which only
 * inTenantTransaction and enterTenant set).
 */
export async function setRlsSetting(
  manager: Pick<EntityManager, 'query'>,
  name: string,
  value: string,
): Promise<void> {
  if (!SETTING_NAME.test(name)) throw new Error(`not a setting name: ${name}`);
  if (name === TENANT_SETTING) throw new Error(`${TENANT_SETTING} is set with the tenant only`);
  await manager.query(`SELECT set_config('${name}', $1, true)`, [value]);
}

async function applySettings(manager: EntityManager, settings: RlsSettings): Promise<void> {
  for (const [name, value] of Object.entries(settings)) await setRlsSetting(manager, name, value);
}

/** How many times setTenant ran on a transaction (see tenantChangesOf). */
const tenantChanges = new WeakMap<object, number>();

/**
 * How many times the tenant was set on `manager` through setTenant (or noteTenantSet): code that
 * set the tenant itself and knows no other setting can have run since (the count did not move)
 * may skip setting the same tenant again.
 */
export function tenantChangesOf(manager: object): number {
  return tenantChanges.get(manager) ?? 0;
}

/** Records a tenant set on `manager` by a statement of the caller's own (as setTenant does). */
export function noteTenantSet(manager: object): void {
  tenantChanges.set(manager, tenantChangesOf(manager) + 1);
}

/** Sets the tenant on an already open transaction (e.g. a Kafka consumer's). */
export async function setTenant(manager: EntityManager, orgId: string): Promise<void> {
  if (!isUuid(orgId))
    throw new CommonException(CommonErrorCode.TENANT_REQUIRED, 'A valid organization is required');
  noteTenantSet(manager);
  await manager.query(`SELECT set_config('${TENANT_SETTING}', $1, true)`, [orgId]);
}

/** Runs `work` for the tenant of the current request context (see runAsTenant). */
export function inCurrentTenantTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return inTenantTransaction(dataSource, requireTenant(), work);
}
