import { Injectable } from '@nestjs/common';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { JwtVerifier } from './jwt-verifier';
import { hasScope, requireOrg, type Principal, type Scope } from './principal';
import { bearerTokenOf, type AuthenticatedRequest } from './request-context';

/**
 * The caller of a federation entity (`_entities` → `@ResolveReference`) or of a field this
 * subgraph adds to another subgraph's type (e.g. `Device.messages`). Nest runs guards on root
 * fields only, so these resolvers authenticate here: the principal JwtAuthGuard put on the
 * request, else the bearer token verified now (and kept on the request, as the guard would, so
 * a request with many entities verifies once). A token that fails verification is refused
 * with UNAUTHENTICATED, exactly as at the guard.
 */
@Injectable()
export class FederationCaller {
  constructor(private readonly verifier: JwtVerifier) {}

  /** The caller, or undefined when the request carries no token. */
  async principal(req: AuthenticatedRequest | undefined): Promise<Principal | undefined> {
    if (req?.user) return req.user;
    const token = bearerTokenOf(req);
    if (!token) return undefined;
    const principal = await this.verifier.verify(token);
    if (req) req.user = principal;
    return principal;
  }

  /** The caller, or UNAUTHENTICATED. */
  async require(req: AuthenticatedRequest | undefined): Promise<Principal> {
    const principal = await this.principal(req);
    if (!principal)
      throw new CommonException(CommonErrorCode.UNAUTHENTICATED, 'Authentication required');
    return principal;
  }

  /**
   * The organization of a caller holding `scope`: UNAUTHENTICATED without a token, FORBIDDEN
   * without the scope, TENANT_REQUIRED for a caller of no organization (see `requireOrg`).
   */
  async orgWithScope(req: AuthenticatedRequest | undefined, scope: Scope): Promise<string> {
    const principal = await this.require(req);
    if (!hasScope(principal, scope)) {
      throw new CommonException(CommonErrorCode.FORBIDDEN, 'Missing scope for this operation', {
        details: { missingScopes: [scope] },
      });
    }
    return requireOrg(principal);
  }
}
