import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthModule, authOptionsFromConfig, graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, kafkaSecurityOptions } from '@switchboard/events';
import { graphqlLogging, MetricsModule, type Logger } from '@switchboard/observability';
import { DatabaseModule, ReadinessModule } from '@switchboard/service-kit';
import { MESSAGING_CONFIG, type MessagingConfig } from './config';
// MessagingModule first: the SDL lists types in the order they are declared (schema.graphql).
import { MessagingModule } from './messaging.module';
import { DeviceReference, OrganizationReference } from './federation/entity-references.model';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';

@Global()
@Module({})
class MessagingConfigModule {
  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: MessagingConfigModule,
      providers: [{ provide: MESSAGING_CONFIG, useValue: config }],
      exports: [MESSAGING_CONFIG],
    };
  }
}

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the messaging features. */
@Module({})
export class AppModule {
  static forRoot(config: MessagingConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingConfigModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          // Entities of other subgraphs this one extends; no query returns them.
          buildSchemaOptions: { orphanedTypes: [DeviceReference, OrganizationReference] },
          context: graphqlContext,
          formatError: formatGraphQLError,
          introspection: config.NODE_ENV !== 'production',
          plugins: options.logger ? [graphqlLogging(options.logger)] : [],
        }),
        EventsModule.forRootAsync({
          useFactory: () => ({
            service: 'messaging',
            groupId: config.KAFKA_GROUP_ID,
            brokers: config.KAFKA_BROKERS,
            security: kafkaSecurityOptions(config),
            databaseUrl: config.DATABASE_URL,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
          }),
        }),
        MetricsModule.forRoot({ service: 'messaging' }),
        ReadinessModule.forRoot(),
        MessagingModule,
        RetentionModule,
        PrivacyModule,
      ],
    };
  }
}
