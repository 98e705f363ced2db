import { Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { IS_PUBLIC_KEY } from './auth-metadata';
import type { Principal } from './principal';
import { bearerTokenOf, requestOf } from './request-context';
import { asTokenRejection, authenticationError } from './token-rejection';

/**
 * Authenticates every HTTP and GraphQL call with the `jwt` passport strategy and puts the
 * Principal on `req.user`; `@Public()` handlers are let through without a token. Register it
 * globally (`AuthModule.forRoot({ global: true })`) or with `@UseGuards(JwtAuthGuard)`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (!bearerTokenOf(requestOf(context))) {
      throw new CommonException(CommonErrorCode.UNAUTHENTICATED, 'Authentication required');
    }
    return (await super.canActivate(context)) as boolean;
  }

  override getRequest(context: ExecutionContext): unknown {
    return requestOf(context);
  }

  getResponse(context: ExecutionContext): unknown {
    if (context.getType<GqlContextType>() === 'graphql') {
      return GqlExecutionContext.create(context).getContext<{ res?: unknown }>().res;
    }
    return context.switchToHttp().getResponse();
  }

  override handleRequest<TUser = Principal>(error: unknown, user: unknown, info: unknown): TUser {
    if (!error && user) return user as TUser;
    const problem = error ?? info;
    const rejection = asTokenRejection(problem);
    if (rejection) this.logger.debug(`access token rejected (${rejection.message})`);
    throw authenticationError(rejection ?? problem);
  }
}
