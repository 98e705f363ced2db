import { AsyncLocalStorage } from 'node:async_hooks';
import { CommonErrorCode, CommonException } from '@switchboard/errors';

/** The tenant a unit of work runs for: set from the verified principal, never from input. */
export interface TenantContext {
  readonly orgId: string;
}

const storage = new AsyncLocalStorage<TenantContext>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Runs `fn` with `orgId` as the current tenant. */
export function runAsTenant<T>(orgId: string, fn: () => T): T {
  if (!isUuid(orgId))
    throw new CommonException(CommonErrorCode.TENANT_REQUIRED, 'A valid organization is required');
  return storage.run({ orgId }, fn);
}

/** The current tenant, if any. */
export function currentTenant(): TenantContext | undefined {
  return storage.getStore();
}

/** The current tenant's organization id; fails closed when there is none. */
export function requireTenant(): string {
  const tenant = storage.getStore();
  if (!tenant)
    throw new CommonException(
      CommonErrorCode.TENANT_REQUIRED,
      'This operation needs an organization',
    );
  return tenant.orgId;
}
