import { Module, type DynamicModule } from '@nestjs/common';
import { AUDIT_SINK, FederationCaller } from '@switchboard/auth';
import { EventsModule, eventsOptionsFromConfig, OutboxAuditSink } from '@switchboard/events';
import { createLogger, MetricsModule, type Logger } from '@switchboard/observability';
import { DatabaseModule, ReadinessModule, subgraphGraphQL } from '@switchboard/service-kit';
import { apiTokensProviders } from './api-tokens/api-tokens.providers';
import { TokenExchangeController } from './api-tokens/token-exchange.controller';
import { rateLimiterProvider } from './common/rate-limits';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './config';
import { AccountsEvents } from './events/accounts-events';
import { googleProviders } from './google/google.providers';
import { identityProviders } from './identity/identity.providers';
import { JwksController } from './keys/jwks.controller';
import { keysProviders } from './keys/keys.providers';
import { mailProviders } from './mail/mail.providers';
import type { MailTransport } from './mail/mail-transport';
import { membersProviders } from './members/members.providers';
import { organizationsProviders } from './organizations/organizations.providers';
import { purgeProviders } from './purge/purge.providers';
import { privacyProviders } from './privacy/privacy.providers';
import { retentionProviders } from './retention/retention.providers';
import { sessionsProviders } from './tokens/sessions.providers';

/**
 * Seams for tests (the mail transport, the logger); the clock and the shutdown steps come
 * with createServiceApp (@switchboard/service-kit).
 */
export interface AppOptions {
  mailTransport?: MailTransport;
  logger?: Logger;
}

/** Wiring only: the kit's modules, then each feature's providers (see `*.providers.ts`). */
@Module({})
export class AppModule {
  static forRoot(config: AccountsConfig, options: AppOptions = {}): DynamicModule {
    const logger = options.logger ?? createLogger({ service: 'accounts', level: config.LOG_LEVEL });
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        subgraphGraphQL(config, { logger }),
        EventsModule.forRootAsync({
          useFactory: () => eventsOptionsFromConfig('accounts', config),
        }),
        MetricsModule.forRoot({ service: 'accounts' }),
        ReadinessModule.forRoot(),
      ],
      controllers: [JwksController, TokenExchangeController],
      providers: [
        { provide: ACCOUNTS_CONFIG, useValue: config },
        { provide: AUDIT_SINK, useClass: OutboxAuditSink },
        AccountsEvents,
        FederationCaller,
        rateLimiterProvider,
        ...keysProviders(config),
        ...mailProviders(config, options.mailTransport),
        ...sessionsProviders(config),
        ...identityProviders,
        ...organizationsProviders,
        ...membersProviders,
        ...apiTokensProviders,
        ...googleProviders,
        ...purgeProviders,
        ...retentionProviders,
        ...privacyProviders,
      ],
      exports: [ACCOUNTS_CONFIG],
    };
  }
}
