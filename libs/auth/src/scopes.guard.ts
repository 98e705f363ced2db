import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { SCOPES_KEY } from './auth-metadata';
import { hasScope, type Scope } from './principal';
import { requirePrincipal } from './request-context';

/**
 * Admits principals holding every scope of `@Scopes(...)` (method over class): users through
 * their role's scopes, API tokens and services only through scopes they carry, `admin`
 * implying all. Devices hold no scopes.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required?.length) return true;
    const principal = requirePrincipal(context);
    const missing = required.filter((scope) => !hasScope(principal, scope));
    if (missing.length === 0) return true;
    throw new CommonException(CommonErrorCode.FORBIDDEN, 'Missing scope for this operation', {
      details: { missingScopes: missing },
    });
  }
}
