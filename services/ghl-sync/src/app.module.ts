import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule, authOptionsFromConfig } from '@switchboard/auth';
import { EventsModule, eventsOptionsFromConfig } from '@switchboard/events';
import { MetricsModule, type Logger } from '@switchboard/observability';
import {
  DatabaseModule,
  ReadinessModule,
  serviceConfigModule,
  subgraphGraphQL,
} from '@switchboard/service-kit';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from './config';
import { CallbacksModule } from './callbacks/callbacks.module';
import { GhlSyncModule } from './ghl-sync.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ProviderModule } from './provider/provider.module';
import { RequestLogModule } from './request-log/request-log.module';
import { RetentionModule } from './retention/retention.module';

/**
 * The ghl-sync features, each a module of its own folder. Add a feature here (one line) and
 * its migrations to src/migrations/index.ts.
 */
const FEATURES = [
  GhlSyncModule,
  CallbacksModule,
  ProviderModule,
  RequestLogModule,
  RetentionModule,
  PrivacyModule,
];

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the ghl-sync features. */
@Module({})
export class AppModule {
  static forRoot(config: GhlSyncConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        serviceConfigModule(GHL_SYNC_CONFIG, config),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        subgraphGraphQL(config, { logger: options.logger }),
        EventsModule.forRootAsync({
          useFactory: () => eventsOptionsFromConfig('ghl-sync', config),
        }),
        MetricsModule.forRoot({ service: 'ghl-sync' }),
        ReadinessModule.forRoot(),
        ...FEATURES,
      ],
    };
  }
}
