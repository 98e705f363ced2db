import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { accessReasonOf, validateAccessReason } from './admin-access';
import { PLATFORM_ADMIN_OPERATION_KEY, type PlatformAdminOperationMetadata } from './auth-metadata';
import { requirePrincipal } from './request-context';

/** `@PlatformAdminOperation`: role ADMIN (else FORBIDDEN), then a reason (else REASON_REQUIRED). */
@Injectable()
export class PlatformAdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const operation = this.reflector.get<PlatformAdminOperationMetadata | undefined>(
      PLATFORM_ADMIN_OPERATION_KEY,
      context.getHandler(),
    );
    if (!operation) return true;
    const principal = requirePrincipal(context);
    if (principal.kind !== 'user' || principal.role !== 'ADMIN') {
      throw new CommonException(CommonErrorCode.FORBIDDEN, 'This operation is for platform admins');
    }
    validateAccessReason(accessReasonOf(context));
    return true;
  }
}
