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
import { AutoRechargeModule } from './auto-recharge/auto-recharge.module';
import { BillingModule } from './billing.module';
import { CampaignPreviewCostModel } from './estimates/campaign-preview-cost.model';
import { BILLING_CONFIG, type BillingConfig } from './config';
import { PlanChangesModule } from './plan-changes/plan-changes.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';
import { StripeModule } from './stripe/stripe.module';

/**
 * The billing features, each a module of its own folder. Add a feature here (one line) and
 * its migrations to src/migrations/index.ts.
 */
const FEATURES = [
  BillingModule,
  StripeModule,
  PlanChangesModule,
  AutoRechargeModule,
  PrivacyModule,
  RetentionModule,
];

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the billing features. */
@Module({})
export class AppModule {
  static forRoot(config: BillingConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        serviceConfigModule(BILLING_CONFIG, config),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        subgraphGraphQL(config, {
          logger: options.logger,
          // Reached only through _entities (messaging's CampaignPreview, priced here).
          orphanedTypes: [CampaignPreviewCostModel],
        }),
        EventsModule.forRootAsync({
          useFactory: () =>
            eventsOptionsFromConfig('billing', config, {
              partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
              batchMax: config.KAFKA_BATCH_MAX,
            }),
        }),
        MetricsModule.forRoot({ service: 'billing' }),
        ReadinessModule.forRoot(),
        ...FEATURES,
      ],
    };
  }
}
