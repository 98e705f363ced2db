import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import type { Principal } from './principal';

/** The parts of an HTTP request (express) this library reads; `user` is set by JwtAuthGuard. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

/** What every subgraph puts in its GraphQL context, so guards find the request there. */
export interface GraphQLRequestContext {
  req: AuthenticatedRequest;
  res?: unknown;
}

/**
 * The GraphQL context factory: `GraphQLModule.forRoot({ ..., context: graphqlContext })`.
 * Guards and `@CurrentPrincipal()` read `context.req.user`.
 */
export function graphqlContext({ req, res }: GraphQLRequestContext): GraphQLRequestContext {
  return { req, res };
}

/** The HTTP request behind a controller or resolver call; undefined for other transports. */
export function requestOf(context: ExecutionContext): AuthenticatedRequest | undefined {
  const type = context.getType<GqlContextType>();
  if (type === 'graphql') {
    const req =
      GqlExecutionContext.create(context).getContext<Partial<GraphQLRequestContext>>()?.req;
    if (!req) {
      throw new Error(
        'GraphQL context has no `req`: set `context: graphqlContext` in GraphQLModule',
      );
    }
    return req;
  }
  if (type === 'http') return context.switchToHttp().getRequest<AuthenticatedRequest>();
  return undefined;
}

/** The GraphQL arguments of a resolver call, or the route and query parameters of an HTTP call. */
export function argumentsOf(context: ExecutionContext): Record<string, unknown> {
  if (context.getType<GqlContextType>() === 'graphql') {
    return GqlExecutionContext.create(context).getArgs<Record<string, unknown>>() ?? {};
  }
  const req = requestOf(context);
  return { ...req?.query, ...req?.params };
}

/** One header's value (the first when repeated). */
export function headerOf(req: AuthenticatedRequest | undefined, name: string): string | undefined {
  const value = req?.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerTokenOf(req: AuthenticatedRequest | undefined): string | null {
  const match = /^Bearer +([^\s]+) *$/i.exec(headerOf(req, 'authorization') ?? '');
  return match ? match[1] : null;
}

/** The verified caller, if JwtAuthGuard authenticated this call. */
export function principalOf(context: ExecutionContext): Principal | undefined {
  return requestOf(context)?.user;
}

/** The verified caller, or UNAUTHENTICATED. */
export function requirePrincipal(context: ExecutionContext): Principal {
  const principal = principalOf(context);
  if (!principal)
    throw new CommonException(CommonErrorCode.UNAUTHENTICATED, 'Authentication required');
  return principal;
}
