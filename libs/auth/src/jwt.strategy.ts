import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { JwtVerifier } from './jwt-verifier';
import type { Principal } from './principal';
import { bearerTokenOf, type AuthenticatedRequest } from './request-context';

/**
 * The passport `jwt` strategy behind JwtAuthGuard. It runs the JwtVerifier's steps: header rules
 * and key lookup (`secretOrKeyProvider`), passport-jwt's signature/`exp`/`nbf`/`iss`/`aud`
 * check with the verifier's options, then the claim rules (`validate`). A token it accepted is
 * remembered by the verifier (30 s, never past its `exp`, like the gateway's) and answered from
 * there on the next request without the RSA check (issue 17: every request checked it).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly verifier: JwtVerifier) {
    const { algorithms, issuer, audience } = verifier.verifyOptions;
    super({
      passReqToCallback: true,
      jwtFromRequest: (req: AuthenticatedRequest) => bearerTokenOf(req),
      secretOrKeyProvider: (
        _req: unknown,
        token: string,
        done: (error: unknown, key?: string) => void,
      ) => {
        verifier.keyFor(token).then(
          // A parsed KeyObject: passport-jwt hands it to jsonwebtoken as is (its types say string).
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
      // passport-jwt overwrites these three in `jsonWebTokenOptions` with its top-level options.
      algorithms: [...algorithms],
      issuer,
      audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { ...verifier.verifyOptions },
    });
  }

  override authenticate(req: StrategyRequest, options?: unknown): void {
    const token = bearerTokenOf(req as AuthenticatedRequest);
    const known = token ? this.verifier.remembered(token) : undefined;
    if (known) return (this as unknown as PassportOutcome).success(known);
    super.authenticate(req, options);
  }

  validate(req: AuthenticatedRequest, payload: unknown): Principal {
    const principal = this.verifier.principalOf(payload);
    const token = bearerTokenOf(req);
    if (token) this.verifier.remember(token, principal, (payload as { exp: number }).exp);
    return principal;
  }
}

type StrategyRequest = Parameters<Strategy['authenticate']>[0];

/** What passport gives a strategy while it authenticates a request. */
interface PassportOutcome {
  success(user: Principal): void;
}
