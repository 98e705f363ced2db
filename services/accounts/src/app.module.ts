import {
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AUDIT_SINK,
  graphqlContext,
  JwtAuthGuard,
  JwtStrategy,
  JwtVerifier,
} from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, EventsRuntime } from '@switchboard/events';
import {
  createLogger,
  graphqlLogging,
  HealthModule,
  MetricsModule,
  postgresCheck,
  type Logger,
} from '@switchboard/observability';
import { ApiTokensResolver } from './api-tokens/api-tokens.resolver';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { TokenExchangeController } from './api-tokens/token-exchange.controller';
import { OutboxAuditSink } from './audit/outbox-audit-sink';
import { CLOCK, systemClock, type Clock } from './common/clock';
import { CallerResolver } from './common/request-meta';
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

/** Seams for tests (the clock, the mail transport, the logger) and main.ts (shutdown). */
export interface AppOptions {
  clock?: Clock;
  mailTransport?: MailTransport;
  logger?: Logger;
  /** Runs when the application shuts down, after the consumers stopped (main.ts: flushing traces). */
  onShutdown?: () => Promise<void>;
}

const ON_SHUTDOWN = Symbol('ON_SHUTDOWN');

@Injectable()
class ShutdownStep implements OnApplicationShutdown {
  constructor(@Inject(ON_SHUTDOWN) private readonly step: () => Promise<void>) {}
  onApplicationShutdown(): Promise<void> {
    return this.step();
  }
}

/**
 * How long a retired signing key stays published: the longest token lifetime plus the
 * verifiers' 5 s leeway and a minute of their JWKS caching.
 */
export function keyRetentionSeconds(config: AccountsConfig): number {
  return Math.max(config.ACCESS_TOKEN_TTL_SECONDS, config.API_TOKEN_JWT_TTL_SECONDS) + 65;
}

/** A query target for the readiness check, bound to the DataSource when Nest has made it. */
class LateDataSource {
  private dataSource?: DataSource;
  bind(dataSource: DataSource): this {
    this.dataSource = dataSource;
    return this;
  }
  query(sql: string): Promise<unknown> {
    if (!this.dataSource) return Promise.reject(new Error('database not initialized'));
    return this.dataSource.query(sql);
  }
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
 * Stops consuming and relaying before the providers shut down, so the consumer never works
 * on a database connection TypeORM is closing (EventsRuntime's own shutdown runs in the same
 * phase as TypeORM's, in no set order; calling it twice is harmless).
 */
@Injectable()
class EventsDrain implements BeforeApplicationShutdown {
  constructor(private readonly runtime: EventsRuntime) {}
  beforeApplicationShutdown(): Promise<void> {
    return this.runtime.onApplicationShutdown();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AccountsConfig, options: AppOptions = {}): DynamicModule {
    const logger = options.logger ?? createLogger({ service: 'accounts', level: config.LOG_LEVEL });
    // HealthModule takes its checks up front; the DataSource exists only once TypeORM started.
    const database = new LateDataSource();
    const infrastructure: Provider[] = [
      { provide: ACCOUNTS_CONFIG, useValue: config },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: LOGGER, useValue: logger },
      {
        provide: MAIL_TRANSPORT,
        useFactory: () =>
          options.mailTransport ??
          (config.SMTP_URL ? new SmtpMailTransport(config.SMTP_URL) : new LogMailTransport()),
      },
      {
        provide: SigningKeys,
        inject: [DataSource, CLOCK],
        useFactory: (dataSource: DataSource, clock: Clock) =>
          new SigningKeys(dataSource, clock, {
            encryptionKey: config.SIGNING_KEY_ENCRYPTION_KEY,
            retentionSeconds: keyRetentionSeconds(config),
          }),
      },
      {
        provide: TokenIssuer,
        inject: [SigningKeys, CLOCK],
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
      {
        provide: LateDataSource,
        inject: [DataSource],
        useFactory: (dataSource: DataSource) => database.bind(dataSource),
      },
      SigningKeysBootstrap,
      EventsDrain,
      { provide: ON_SHUTDOWN, useValue: options.onShutdown ?? (async () => undefined) },
      ShutdownStep,
    ];
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.DATABASE_URL,
          autoLoadEntities: true,
          synchronize: false,
          extra: { max: 20 },
        }),
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
            databaseUrl: config.DATABASE_URL,
            groupId: config.KAFKA_GROUP_ID,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
          }),
        }),
        MetricsModule.forRoot({ service: 'accounts' }),
        HealthModule.forRoot({ checks: [postgresCheck(database)] }),
      ],
      controllers: [JwksController, TokenExchangeController],
      providers: [
        ...infrastructure,
        AccountsEvents,
        CallerResolver,
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
