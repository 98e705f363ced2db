import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule, authOptionsFromConfig } from '@switchboard/auth';
import { EventsModule, eventsOptionsFromConfig } from '@switchboard/events';
import { MetricsModule } from '@switchboard/observability';
import {
  DatabaseModule,
  ReadinessModule,
  serviceConfigModule,
  subgraphGraphQL,
  type ServiceHttpOptions,
} from '@switchboard/service-kit';
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

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the devices features. */
@Module({})
export class AppModule {
  static forRoot(config: DevicesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        serviceConfigModule(DEVICES_CONFIG, config),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        subgraphGraphQL(config, {
          // Organization is only extended here (a key stub); nothing else references it.
          orphanedTypes: [Organization],
          // Organization.devices is reached through _entities, a root field Nest does not guard.
          guardFieldResolvers: true,
        }),
        EventsModule.forRootAsync({
          useFactory: () =>
            eventsOptionsFromConfig('devices', config, {
              consume: config.KAFKA_CONSUME,
              relayPollIntervalMs: config.KAFKA_FAST_CONSUMERS ? 200 : undefined,
              partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
              batchMax: config.KAFKA_BATCH_MAX,
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
