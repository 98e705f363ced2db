import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { Args } from '@nestjs/graphql';
import { ACCESS_REASON_ARG } from './admin-access';
import {
  PLATFORM_ADMIN_OPERATION_KEY,
  type PlatformAdminOperationMetadata,
  type PlatformAdminOperationOptions,
} from './auth-metadata';
import { PlatformAdminAuditInterceptor } from './platform-admin-audit.interceptor';
import { PlatformAdminGuard } from './platform-admin.guard';

/**
 * A platform admin reaching into a tenant: requires role ADMIN and an access reason (GraphQL
 * argument `reason`, HTTP header `x-access-reason`), and records the access, successful or
 * not, in the AUDIT_SINK.
 *
 *   @Query(() => Organization)
 *   @PlatformAdminOperation('organization.read')
 *   organization(@Args('id', { type: () => ID }) id: string, @AccessReasonArg() _reason?: string)
 */
export function PlatformAdminOperation(
  action: string,
  options: PlatformAdminOperationOptions = {},
): MethodDecorator {
  const metadata: PlatformAdminOperationMetadata = { action, ...options };
  return applyDecorators(
    SetMetadata(PLATFORM_ADMIN_OPERATION_KEY, metadata),
    UseGuards(PlatformAdminGuard),
    UseInterceptors(PlatformAdminAuditInterceptor),
  );
}

/**
 * The `reason: String` argument of a platform-admin resolver. Nullable on purpose: a missing
 * reason then reaches the guard and is answered with REASON_REQUIRED, not a schema error.
 */
export const AccessReasonArg = () =>
  Args(ACCESS_REASON_ARG, {
    type: () => String,
    nullable: true,
    description: 'Why a platform admin accesses this tenant data (recorded in the audit log).',
  });
