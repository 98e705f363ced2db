import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, authOptionsFromConfig, graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule } from '@switchboard/events';
import {
  graphqlLogging,
  HealthModule,
  kafkaCheck,
  MetricsModule,
  postgresCheck,
  type Logger,
} from '@switchboard/observability';
import { MESSAGING_CONFIG, type MessagingConfig } from './config';
import { DeviceReference, OrganizationReference } from './federation/entity-references';
import { ReadinessBinding, ReadinessTargets } from './health/readiness';
import { MessagingModule } from './messaging.module';

@Global()
@Module({})
class MessagingConfigModule {
  static forRoot(config: MessagingConfig, targets: ReadinessTargets): DynamicModule {
    return {
      module: MessagingConfigModule,
      providers: [
        { provide: MESSAGING_CONFIG, useValue: config },
        { provide: ReadinessTargets, useValue: targets },
      ],
      exports: [MESSAGING_CONFIG, ReadinessTargets],
    };
  }
}

const notStarted = () => Promise.reject(new Error('not started'));

@Module({})
export class AppModule {
  static forRoot(config: MessagingConfig, options: { logger?: Logger } = {}): DynamicModule {
    const targets = new ReadinessTargets();
    return {
      module: AppModule,
      imports: [
        MessagingConfigModule.forRoot(config, targets),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.DATABASE_URL,
          synchronize: false,
          entities: [],
          extra: { max: config.DATABASE_POOL_SIZE },
        }),
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
            databaseUrl: config.DATABASE_URL,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            fastConsumers: config.KAFKA_FAST_CONSUMERS,
          }),
        }),
        MetricsModule.forRoot({ service: 'messaging' }),
        HealthModule.forRoot({
          checks: [
            postgresCheck({ query: (sql) => targets.dataSource?.query(sql) ?? notStarted() }),
            kafkaCheck(() => targets.probeKafka?.() ?? notStarted()),
          ],
          gracefulShutdownTimeoutMs: config.NODE_ENV === 'production' ? 5_000 : 0,
        }),
        MessagingModule,
      ],
      providers: [ReadinessBinding],
    };
  }
}
