import { Inject, Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AuthModule, authOptionsFromConfig, graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { EventsModule, KAFKA } from '@switchboard/events';
import {
  HealthModule,
  kafkaCheck,
  MetricsModule,
  postgresCheck,
  type Queryable,
} from '@switchboard/observability';
import { DEVICES_CONFIG, type DevicesConfig } from './config';
import { Clock, SystemClock } from './common/clock';
import { DeviceEventsWriter } from './common/device-events.writer';
import { DispatchConsumer } from './dispatch/dispatch.consumer';
import { DispatchService } from './dispatch/dispatch.service';
import { QueueService } from './dispatch/queue.service';
import { EnrollmentService } from './fleet/enrollment.service';
import { FleetQueries } from './fleet/fleet.queries';
import { FleetRepository } from './fleet/fleet.repository';
import { FleetService } from './fleet/fleet.service';
import { Organization } from './graphql/device.model';
import { DevicesResolver, OrganizationDevicesResolver } from './graphql/devices.resolver';
import { DeviceHooksController } from './inbound/device-hooks.controller';
import { InboundService } from './inbound/inbound.service';
import { DeviceAuthGuard } from './mobile-api/device-auth.guard';
import { MobileController } from './mobile-api/mobile.controller';
import { DeviceWakeups } from './presence/device-wakeups';
import { FleetSweeper } from './presence/fleet-sweeper';

/** What the readiness checks query, known only once the application has started. */
class ReadinessTargets {
  dataSource?: DataSource;
  kafka?: Kafka;

  readonly db: Queryable = {
    query: (sql) => {
      if (!this.dataSource) return Promise.reject(new Error('database not initialized'));
      return this.dataSource.query(sql);
    },
  };

  async kafkaProbe(): Promise<void> {
    if (!this.kafka) throw new Error('kafka not initialized');
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}

@Module({})
export class AppModule {
  constructor(
    dataSource: DataSource,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(ReadinessTargets) targets: ReadinessTargets,
  ) {
    targets.dataSource = dataSource;
    targets.kafka = kafka;
  }

  static forRoot(config: DevicesConfig): DynamicModule {
    const targets = new ReadinessTargets();
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.DATABASE_URL,
          synchronize: false,
          extra: { max: 20 },
        }),
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
        HealthModule.forRoot({
          checks: [postgresCheck(targets.db), kafkaCheck(() => targets.kafkaProbe())],
        }),
      ],
      controllers: [MobileController, DeviceHooksController],
      providers: [
        { provide: DEVICES_CONFIG, useValue: config },
        { provide: ReadinessTargets, useValue: targets },
        { provide: Clock, useClass: SystemClock },
        DeviceEventsWriter,
        DeviceWakeups,
        FleetRepository,
        QueueService,
        FleetService,
        FleetQueries,
        EnrollmentService,
        DispatchService,
        DispatchConsumer,
        InboundService,
        FleetSweeper,
        DeviceAuthGuard,
        DevicesResolver,
        OrganizationDevicesResolver,
      ],
    };
  }
}
