import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { AuthModule, authOptionsFromConfig, graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, kafkaSecurityOptions } from '@switchboard/events';
import { MetricsModule } from '@switchboard/observability';
import { DatabaseModule, ReadinessModule, type ServiceHttpOptions } from '@switchboard/service-kit';
import { DEVICES_CONFIG, type DevicesConfig } from './config';
import { DevicesModule } from './devices.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';
import { Organization } from './fleet/device.model';

/**
 * The HTTP needs of this service (main.ts and the tests): raw bodies kept for the webhook
 * signatures, one JSON body limit for the device API and the webhook receiver.
 */
export const devicesHttp = (config: DevicesConfig): ServiceHttpOptions => ({
  rawBody: true,
  jsonBodyLimit: config.BODY_LIMIT,
});

@Global()
@Module({})
class DevicesConfigModule {
  static forRoot(config: DevicesConfig): DynamicModule {
    return {
      module: DevicesConfigModule,
      providers: [{ provide: DEVICES_CONFIG, useValue: config }],
      exports: [DEVICES_CONFIG],
    };
  }
}

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the devices features. */
@Module({})
export class AppModule {
  static forRoot(config: DevicesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DevicesConfigModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          // Organization is only extended here (a key stub); nothing else references it.
          buildSchemaOptions: { orphanedTypes: [Organization] },
          // Guards also on @ResolveField: Organization.devices is reached through _entities,
          // a root field Nest does not guard.
          fieldResolverEnhancers: ['guards'],
          sortSchema: true,
          context: graphqlContext,
          formatError: formatGraphQLError,
          introspection: config.NODE_ENV !== 'production',
        }),
        EventsModule.forRootAsync({
          useFactory: () => ({
            service: 'devices',
            brokers: config.KAFKA_BROKERS,
            security: kafkaSecurityOptions(config),
            databaseUrl: config.DATABASE_URL,
            groupId: config.KAFKA_GROUP_ID,
            consume: config.KAFKA_CONSUME,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
            relayPollIntervalMs: config.KAFKA_FAST_CONSUMERS ? 200 : undefined,
          }),
        }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        MetricsModule.forRoot({ service: 'devices' }),
        ReadinessModule.forRoot(),
        DevicesModule,
        RetentionModule,
        PrivacyModule,
      ],
    };
  }
}
