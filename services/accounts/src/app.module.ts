import {
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { DataSource } from 'typeorm';
import {
  AUDIT_SINK,
  FederationCaller,
  graphqlContext,
  JwtAuthGuard,
  JwtStrategy,
  JwtVerifier,
} from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, kafkaSecurityOptions } from '@switchboard/events';
import {
  createLogger,
  graphqlLogging,
  MetricsModule,
  type Logger,
} from '@switchboard/observability';
import { Clock, DatabaseModule, ReadinessModule } from '@switchboard/service-kit';
import { ApiTokensResolver } from './api-tokens/api-tokens.resolver';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { TokenExchangeController } from './api-tokens/token-exchange.controller';
import { OutboxAuditSink } from './audit/outbox-audit-sink';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './config';
import { AccountsEvents } from './events/accounts-events';
import { GoogleSignInResolver } from './google/google-sign-in.resolver';
import { GoogleSignInService } from './google/google-sign-in.service';
import { IdentityResolver } from './identity/identity.resolver';
import { IdentityService } from './identity/identity.service';
import { LoginThrottle } from './identity/login-throttle.service';
import { PasswordHasher } from './identity/password-hasher';
import { RateLimiter } from './identity/rate-limiter.service';
import { UserTokensRepository } from './identity/user-tokens.repository';
import { UsersRepository } from './identity/users.repository';
import { UsersService } from './identity/users.service';
import { JwksController } from './keys/jwks.controller';
import { SigningKeys } from './keys/signing-keys.service';
import { MailSender } from './mail/mail-sender.consumer';
import {
  LogMailTransport,
  MAIL_TRANSPORT,
  SmtpMailTransport,
  type MailTransport,
} from './mail/mail-transport';
import { InvitationsRepository } from './members/invitations.repository';
import { MembersResolver } from './members/members.resolver';
import { MembersService } from './members/members.service';
import { MembershipsRepository } from './members/memberships.repository';
import { OrganizationPurgeJob } from './organizations/organization-purge.job';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { OrganizationsResolver } from './organizations/organizations.resolver';
import { OrganizationsService } from './organizations/organizations.service';
import { SessionsRepository } from './tokens/sessions.repository';
import { SessionsService } from './tokens/sessions.service';
import { TokenIssuer } from './tokens/token-issuer.service';

export const LOGGER = Symbol('LOGGER');

/**
 * Seams for tests (the mail transport, the logger); the clock and the shutdown steps come
 * with createServiceApp (@switchboard/service-kit).
 */
export interface AppOptions {
  mailTransport?: MailTransport;
  logger?: Logger;
}

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

@Module({})
export class AppModule {
  static forRoot(config: AccountsConfig, options: AppOptions = {}): DynamicModule {
    const logger = options.logger ?? createLogger({ service: 'accounts', level: config.LOG_LEVEL });
    const infrastructure: Provider[] = [
      { provide: ACCOUNTS_CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      {
        provide: MAIL_TRANSPORT,
        useFactory: () =>
          options.mailTransport ??
          (config.SMTP_URL ? new SmtpMailTransport(config.SMTP_URL) : new LogMailTransport()),
      },
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
      // libs/auth's verification, with this service's own keys instead of fetching its JWKS.
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
      { provide: AUDIT_SINK, useClass: OutboxAuditSink },
      SigningKeysBootstrap,
    ];
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          context: graphqlContext,
          formatError: formatGraphQLError,
          introspection: config.NODE_ENV !== 'production',
          // No Apollo Studio traces: the platform traces with OpenTelemetry.
          // (Cast: @apollo/server's CJS and ESM typings of one plugin type differ.)
          plugins: [graphqlLogging(logger), ApolloServerPluginInlineTraceDisabled() as never],
        }),
        EventsModule.forRootAsync({
          useFactory: () => ({
            service: 'accounts',
            brokers: config.KAFKA_BROKERS,
            security: kafkaSecurityOptions(config),
            databaseUrl: config.DATABASE_URL,
            groupId: config.KAFKA_GROUP_ID,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
          }),
        }),
        MetricsModule.forRoot({ service: 'accounts' }),
        ReadinessModule.forRoot(),
      ],
      controllers: [JwksController, TokenExchangeController],
      providers: [
        ...infrastructure,
        AccountsEvents,
        FederationCaller,
        OrganizationsRepository,
        UsersRepository,
        UserTokensRepository,
        MembershipsRepository,
        InvitationsRepository,
        SessionsRepository,
        PasswordHasher,
        LoginThrottle,
        RateLimiter,
        SessionsService,
        IdentityService,
        UsersService,
        OrganizationsService,
        MembersService,
        ApiTokensService,
        GoogleSignInService,
        OrganizationPurgeJob,
        MailSender,
        IdentityResolver,
        OrganizationsResolver,
        MembersResolver,
        ApiTokensResolver,
        GoogleSignInResolver,
      ],
      exports: [ACCOUNTS_CONFIG],
    };
  }
}
