import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createKafka, EVENTS_OPTIONS, type EventsModuleOptions } from '@switchboard/events';
import {
  HealthModule,
  kafkaCheck,
  postgresCheck,
  type Queryable,
  type ReadinessCheck,
} from '@switchboard/observability';

export interface ReadinessOptions {
  /**
   * On SIGTERM, keep serving this long while `/health/*` answer 503, so the load balancer
   * stops routing here first. Default: 5 s in production, none elsewhere (tests, laptops).
   */
  gracefulShutdownTimeoutMs?: number;
}

/**
 * What `/health/ready` probes: the database pool (`SELECT 1`) and, when the service has an
 * EventsModule, its brokers — one admin connection, kept between probes and closed at
 * shutdown.
 */
export class ReadinessProbes implements OnApplicationShutdown {
  private admin?: Admin;
  private connected?: Promise<void>;

  constructor(
    private readonly database: Queryable,
    private readonly kafka?: Kafka,
  ) {}

  checks(): ReadinessCheck[] {
    const checks = [postgresCheck(this.database)];
    if (this.kafka) checks.push(kafkaCheck(() => this.describeCluster()));
    return checks;
  }

  private async describeCluster(): Promise<unknown> {
    this.admin ??= this.kafka!.admin();
    const admin = this.admin;
    this.connected ??= admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    return admin.describeCluster();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await this.admin?.disconnect().catch(() => undefined);
  }
}

/**
 * The probes' own Kafka client: it does not retry (the next probe does, and a probe must
 * answer within its timeout) and does not log (a failed check is logged once, by the health
 * check).
 */
function probeKafka(events: EventsModuleOptions): Kafka {
  return createKafka({
    brokers: events.brokers,
    clientId: `${events.service}-readiness`,
    kafkaConfig: { ...events.security, retry: { retries: 0 }, logLevel: logLevel.NOTHING },
  });
}

/**
 * `ReadinessModule.forRoot()`: `GET /health/live` and `GET /health/ready` (database + broker)
 * for every service. The public answer says only `up` or `down` per check; why a check failed
 * goes to the log (`Health Check has failed!`), never to an unauthenticated caller.
 */
@Module({})
export class ReadinessModule {
  static forRoot(options: ReadinessOptions = {}): DynamicModule {
    const production = process.env.NODE_ENV === 'production';
    return {
      module: ReadinessModule,
      imports: [
        HealthModule.forRootAsync({
          providers: [
            {
              provide: ReadinessProbes,
              inject: [DataSource, { token: EVENTS_OPTIONS, optional: true }],
              useFactory: (dataSource: DataSource, events?: EventsModuleOptions) =>
                new ReadinessProbes(dataSource, events ? probeKafka(events) : undefined),
            },
          ],
          inject: [ReadinessProbes],
          useFactory: (probes: ReadinessProbes) => ({
            checks: probes.checks(),
            revealReasons: false,
          }),
          gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs ?? (production ? 5_000 : 0),
        }),
      ],
    };
  }
}
