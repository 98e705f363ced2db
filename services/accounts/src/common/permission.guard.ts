import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { requirePrincipal } from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { callerOf, can, type Operation } from '../domain/role-rules';

const PERMISSION_KEY = 'accounts:permission';

/** Admits callers the role table (domain/role-rules.ts) allows `operation` to. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const operation = this.reflector.get<Operation | undefined>(
      PERMISSION_KEY,
      context.getHandler(),
    );
    if (!operation) return true;
    const principal = requirePrincipal(context);
    if (can(callerOf(principal), operation)) return true;
    throw new CommonException(CommonErrorCode.FORBIDDEN, 'Your role does not allow this operation');
  }
}

/** `@Allow('members.manage')`: the operation of the role table this handler performs. */
export const Allow = (operation: Operation) =>
  applyDecorators(SetMetadata(PERMISSION_KEY, operation), UseGuards(PermissionGuard));
