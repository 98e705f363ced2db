import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { scopesOfRole, type Role, type Scope } from '@switchboard/auth';
import type { Clock } from '@switchboard/service-kit';
import type { SigningKeys } from '../keys/signing-keys.service';

export interface TokenIssuerOptions {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  apiTokenJwtTtlSeconds: number;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  jti: string;
}

/**
 * Signs access tokens exactly as libs/auth verifies them (RFC 9068 profile): RS256, header
 * `typ: at+jwt` and the signing key's `kid`; claims `iss`, `aud`, `sub`, `org`, `role`,
 * `scope` (space-separated), `sid` (user sessions), `jti`, `typ` (the principal kind), `iat`,
 * `exp`.
 */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly options: TokenIssuerOptions,
  ) {}

  /**
   * A signed-in user's token: role ADMIN is the platform flag (the audited admin operations);
   * the scopes are always the membership's, so a platform admin who is a plain member of the
   * organization has a member's powers there, not an owner's.
   */
  userToken(input: {
    userId: string;
    orgId: string;
    role: Role;
    memberRole: 'CUSTOMER' | 'USER';
    sessionId: string;
  }): Promise<IssuedAccessToken> {
    return this.sign(
      {
        sub: input.userId,
        org: input.orgId,
        role: input.role,
        scope: scopesOfRole[input.memberRole].join(' '),
        sid: input.sessionId,
        typ: 'user',
      },
      this.options.accessTokenTtlSeconds,
    );
  }

  /** What an API token is exchanged for: short-lived, its own scopes, its creator's role. */
  apiTokenJwt(input: {
    tokenId: string;
    orgId: string;
    role: 'CUSTOMER' | 'USER';
    scopes: readonly Scope[];
  }): Promise<IssuedAccessToken> {
    return this.sign(
      {
        sub: input.tokenId,
        org: input.orgId,
        role: input.role,
        scope: input.scopes.join(' '),
        typ: 'api_token',
      },
      this.options.apiTokenJwtTtlSeconds,
    );
  }

  private async sign(
    claims: Record<string, unknown>,
    ttlSeconds: number,
  ): Promise<IssuedAccessToken> {
    const key = await this.keys.signingKey();
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const jti = randomUUID();
    const accessToken = await new SignJWT({ ...claims, jti })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(key.privateKey);
    return { accessToken, expiresIn: ttlSeconds, jti };
  }
}
