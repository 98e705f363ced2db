import { Injectable } from '@nestjs/common';
import {
  bearerTokenOf,
  hasScope,
  JwtVerifier,
  requireOrg,
  type GraphQLRequestContext,
  type Scope,
} from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';

/**
 * The caller of a field or entity resolver. Nest runs guards on root fields only: an entity
 * reached through `_entities` (federation) or a field of another subgraph's type (e.g.
 * `Device.messages`) is resolved without them, so these resolvers authenticate and authorize
 * here, once per request (the principal is kept on the request as the guard would).
 */
@Injectable()
export class GraphQLPrincipal {
  constructor(private readonly verifier: JwtVerifier) {}

  /** The organization of a caller holding `scope`, or UNAUTHENTICATED / FORBIDDEN. */
  async orgWithScope(context: GraphQLRequestContext, scope: Scope): Promise<string> {
    const req = context.req;
    if (!req.user) {
      const token = bearerTokenOf(req);
      if (!token)
        throw new CommonException(CommonErrorCode.UNAUTHENTICATED, 'Authentication required');
      req.user = await this.verifier.verify(token);
    }
    if (!hasScope(req.user, scope)) {
      throw new CommonException(CommonErrorCode.FORBIDDEN, 'Missing scope for this operation', {
        details: { missingScopes: [scope] },
      });
    }
    return requireOrg(req.user);
  }
}
