import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { JwtVerifier } from './jwt-verifier';
import type { Principal } from './principal';
import { bearerTokenOf, type AuthenticatedRequest } from './request-context';

/**
 * The passport `jwt` strategy behind JwtAuthGuard. It runs the JwtVerifier's steps: header rules
 * and key lookup (`secretOrKeyProvider`), passport-jwt's signature/`exp`/`nbf`/`iss`/`aud`
 * check with the verifier's options, then the claim rules (`validate`).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly verifier: JwtVerifier) {
    const { algorithms, issuer, audience } = verifier.verifyOptions;
    super({
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

  validate(payload: unknown): Principal {
    return this.verifier.principalOf(payload);
  }
}
