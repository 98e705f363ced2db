import type { Provider } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { AccountsConfig } from '../config';
import { SigningKeys } from '../keys/signing-keys.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { TokenIssuer } from './token-issuer.service';

/** Sessions, refresh-token rotation and the access-token issuer (signing with the keys). */
export function sessionsProviders(config: AccountsConfig): Provider[] {
  return [
    SessionsRepository,
    SessionsService,
    {
      provide: TokenIssuer,
      inject: [SigningKeys, Clock],
      useFactory: (keys: SigningKeys, clock: Clock) =>
        new TokenIssuer(keys, clock, {
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
          apiTokenJwtTtlSeconds: config.API_TOKEN_JWT_TTL_SECONDS,
        }),
    },
  ];
}
