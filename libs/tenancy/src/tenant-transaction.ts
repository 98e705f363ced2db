import type { DataSource, EntityManager } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isUuid, requireTenant } from './tenant-context';

/** The PostgreSQL setting row-level security policies read. */
export const TENANT_SETTING = 'app.org_id';

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
): Promise<T> {
  if (!isUuid(orgId))
    throw new CommonException(CommonErrorCode.TENANT_REQUIRED, 'A valid organization is required');
  return dataSource.transaction(async (manager) => {
    await setTenant(manager, orgId);
    return work(manager);
  });
}

/** Sets the tenant on an already open transaction (e.g. a Kafka consumer's). */
export async function setTenant(manager: EntityManager, orgId: string): Promise<void> {
  if (!isUuid(orgId))
    throw new CommonException(CommonErrorCode.TENANT_REQUIRED, 'A valid organization is required');
  await manager.query(`SELECT set_config('${TENANT_SETTING}', $1, true)`, [orgId]);
}

/** Runs `work` for the tenant of the current request context (see runAsTenant). */
export function inCurrentTenantTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return inTenantTransaction(dataSource, requireTenant(), work);
}
