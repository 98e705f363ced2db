import { Injectable, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JwtAuthGuard, JwtStrategy, JwtVerifier } from '@switchboard/auth';
import { APP_GUARD } from '@nestjs/core';
import { Clock } from '@switchboard/service-kit';
import type { AccountsConfig } from '../config';
import { SigningKeys } from './signing-keys.service';

/**
 * How long a retired signing key stays published: the longest token lifetime plus the
 * verifiers' 5 s leeway and a minute of their JWKS caching.
 */
export function keyRetentionSeconds(config: AccountsConfig): number {
  return Math.max(config.ACCESS_TOKEN_TTL_SECONDS, config.API_TOKEN_JWT_TTL_SECONDS) + 65;
}

/** A fresh database gets its first signing key before the first request. */
@Injectable()
class SigningKeysBootstrap implements OnApplicationBootstrap {
  constructor(private readonly keys: SigningKeys) {}
  onApplicationBootstrap(): Promise<void> {
    return this.keys.ensureSigningKey();
  }
}

/**
 * The signing keys and libs/auth's verification (every route guarded by
 * JwtAuthGuard) with this service's own keys instead of fetching its JWKS.
 */
export function keysProviders(config: AccountsConfig): Provider[] {
  return [
    {
      provide: SigningKeys,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock) =>
        new SigningKeys(dataSource, clock, {
          encryptionKey: config.SIGNING_KEY_ENCRYPTION_KEY,
          retentionSeconds: keyRetentionSeconds(config),
        }),
    },
    {
      provide: JwtVerifier,
      inject: [SigningKeys],
      useFactory: (keys: SigningKeys) =>
        new JwtVerifier(
          {
            jwksUrl: 'http://unused.invalid',
            issuer: config.AUTH_ISSUER,
            audience: config.AUTH_AUDIENCE,
          },
          keys,
        ),
    },
    JwtStrategy,
    JwtAuthGuard,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    SigningKeysBootstrap,
  ];
}
