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
import { AuditModule } from './audit/audit.module';
import { ComplianceModule } from './compliance.module';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from './config';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';

/**
 * The compliance features, each a module of its own folder. Add a feature here (one line) and
 * its migrations to src/migrations/index.ts.
 */
const FEATURES = [ComplianceModule, AuditModule, RetentionModule, PrivacyModule];

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the compliance features. */
@Module({})
export class AppModule {
  static forRoot(config: ComplianceConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        serviceConfigModule(COMPLIANCE_CONFIG, config),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        subgraphGraphQL(config, { logger: options.logger }),
        EventsModule.forRootAsync({
          useFactory: () => eventsOptionsFromConfig('compliance', config),
        }),
        MetricsModule.forRoot({ service: 'compliance' }),
        ReadinessModule.forRoot(),
        ...FEATURES,
      ],
    };
  }
}
