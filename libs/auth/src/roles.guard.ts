import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { ROLES_KEY } from './auth-metadata';
import type { Role } from './principal';
import { requirePrincipal } from './request-context';

/**
 * Admits signed-in users whose role is one of `@Roles(...)` (method over class). Roles are for
 * people: API tokens, devices and services are refused here and use `@Scopes` instead, so a
 * narrowly scoped API token never passes as its creator. No role implies another.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const principal = requirePrincipal(context);
    if (principal.kind === 'user' && roles.includes(principal.role)) return true;
    throw new CommonException(CommonErrorCode.FORBIDDEN, 'Your role does not allow this operation');
  }
}
