import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FederationCaller } from './federation-caller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';
import { JwtStrategy } from './jwt.strategy';

export interface AuthOptions extends JwtVerifierOptions {
  /** Guard every route and resolver with JwtAuthGuard (opt out with `@Public()`). */
  global?: boolean;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/**
 * Token verification for a service: the JwtVerifier, the passport `jwt` strategy, the
 * FederationCaller and, with `global: true`, JwtAuthGuard as an APP_GUARD. The role, scope and platform-admin guards come
 * with their decorators and need no registration.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const { global: guardEverything, ...verifierOptions } = options;
    const providers: Provider[] = [
      { provide: AUTH_OPTIONS, useValue: options },
      { provide: JwtVerifier, useValue: new JwtVerifier(verifierOptions) },
      JwtStrategy,
      JwtAuthGuard,
      FederationCaller,
    ];
    if (guardEverything) providers.push({ provide: APP_GUARD, useClass: JwtAuthGuard });
    return {
      module: AuthModule,
      global: true,
      providers,
      exports: [AUTH_OPTIONS, JwtVerifier, JwtAuthGuard, FederationCaller],
    };
  }
}
