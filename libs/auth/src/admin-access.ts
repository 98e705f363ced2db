import type { ExecutionContext } from '@nestjs/common';
import { type GqlContextType } from '@nestjs/graphql';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import type { PlatformAdminOperationMetadata } from './auth-metadata';
import type { AuditEntry } from './audit-sink';
import { principalId } from './principal';
import { argumentsOf, headerOf, requestOf, requirePrincipal } from './request-context';

/** The GraphQL argument and the HTTP header that carry a platform admin's access reason. */
export const ACCESS_REASON_ARG = 'reason';
export const ACCESS_REASON_HEADER = 'x-access-reason';
export const MIN_ACCESS_REASON_LENGTH = 3;
export const MAX_ACCESS_REASON_LENGTH = 500;

/** The trimmed reason, or REASON_REQUIRED when it is missing or shorter than 3 characters. */
export function validateAccessReason(value: unknown): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length < MIN_ACCESS_REASON_LENGTH) {
    throw new CommonException(
      CommonErrorCode.REASON_REQUIRED,
      `Platform admin access needs a reason of at least ${MIN_ACCESS_REASON_LENGTH} characters`,
    );
  }
  if (reason.length > MAX_ACCESS_REASON_LENGTH) {
    throw new CommonException(
      CommonErrorCode.VALIDATION_FAILED,
      `The access reason is longer than ${MAX_ACCESS_REASON_LENGTH} characters`,
    );
  }
  return reason;
}

/** The reason as given: the `reason` argument (GraphQL) or the `x-access-reason` header (HTTP). */
export function accessReasonOf(context: ExecutionContext): unknown {
  if (context.getType<GqlContextType>() === 'graphql') {
    return argumentsOf(context)[ACCESS_REASON_ARG];
  }
  return headerOf(requestOf(context), ACCESS_REASON_HEADER);
}

function stringArg(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The audit entry of one platform-admin call, completed with its outcome. */
export function adminAuditEntry(
  context: ExecutionContext,
  operation: PlatformAdminOperationMetadata,
): (outcome: AuditEntry['outcome']) => AuditEntry {
  const principal = requirePrincipal(context);
  const args = argumentsOf(context);
  const req = requestOf(context);
  const resourceType = operation.resourceType ?? operation.action.split('.')[0];
  const targetOrgId = operation.targetOrgArg
    ? stringArg(args, operation.targetOrgArg)
    : (stringArg(args, 'orgId') ??
      stringArg(args, 'organizationId') ??
      (resourceType === 'organization' ? stringArg(args, 'id') : undefined));
  const resourceId = stringArg(args, 'id');
  const correlationId = headerOf(req, 'x-correlation-id') ?? headerOf(req, 'x-request-id');
  const reason = validateAccessReason(accessReasonOf(context));
  const actor: AuditEntry['actor'] = { kind: principal.kind, id: principalId(principal) };
  if (principal.kind !== 'service') actor.orgId = principal.orgId;
  return (outcome) => ({
    actor,
    action: operation.action,
    ...(targetOrgId ? { targetOrgId } : {}),
    resourceType,
    ...(resourceId ? { resourceId } : {}),
    reason,
    outcome,
    occurredAt: new Date(),
    ...(correlationId ? { correlationId } : {}),
  });
}
