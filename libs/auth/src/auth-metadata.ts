/** Metadata keys of the auth decorators (read by the guards and the audit interceptor). */
export const IS_PUBLIC_KEY = 'switchboard:auth:public';
export const ROLES_KEY = 'switchboard:auth:roles';
export const SCOPES_KEY = 'switchboard:auth:scopes';
export const PLATFORM_ADMIN_OPERATION_KEY = 'switchboard:auth:platform-admin-operation';

export interface PlatformAdminOperationOptions {
  /** Audit `resourceType`; default: the action's first part (`organization` of `organization.read`). */
  resourceType?: string;
  /**
   * The argument holding the target organization. Default: `orgId`, then `organizationId`,
   * then `id` when the resource is an organization.
   */
  targetOrgArg?: string;
}

export interface PlatformAdminOperationMetadata extends PlatformAdminOperationOptions {
  action: string;
}
