import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { AuthModule, authOptionsFromConfig, graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, kafkaSecurityOptions } from '@switchboard/events';
import { graphqlLogging, MetricsModule, type Logger } from '@switchboard/observability';
import { DatabaseModule, ReadinessModule } from '@switchboard/service-kit';
import { BillingModule } from './billing.module';
import { BILLING_CONFIG, type BillingConfig } from './config';
import { StripeModule } from './stripe/stripe.module';

/**
 * The billing features, each a module of its own folder. Add a feature here (one line) and
 * its migrations to src/migrations/index.ts.
 */
const FEATURES = [BillingModule, StripeModule];

@Global()
@Module({})
class BillingConfigModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingConfigModule,
      providers: [{ provide: BILLING_CONFIG, useValue: config }],
      exports: [BILLING_CONFIG],
    };
  }
}

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the billing features. */
@Module({})
export class AppModule {
  static forRoot(config: BillingConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BillingConfigModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          context: graphqlContext,
          formatError: formatGraphQLError,
          introspection: config.NODE_ENV !== 'production',
          plugins: options.logger ? [graphqlLogging(options.logger)] : [],
        }),
        EventsModule.forRootAsync({
          useFactory: () => ({
            service: 'billing',
            groupId: config.KAFKA_GROUP_ID,
            brokers: config.KAFKA_BROKERS,
            security: kafkaSecurityOptions(config),
            databaseUrl: config.DATABASE_URL,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
            partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
          }),
        }),
        MetricsModule.forRoot({ service: 'billing' }),
        ReadinessModule.forRoot(),
        ...FEATURES,
      ],
    };
  }
}
