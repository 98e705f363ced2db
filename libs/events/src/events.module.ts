import {
  Inject,
  Injectable,
  Logger,
  Module,
  SetMetadata,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { DescMessage } from '@bufbuild/protobuf';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { TopicSpec } from '@switchboard/contracts';
import {
  EventConsumer,
  type ConsumedEvent,
  type FetchedBatch,
  type EventHandlerFn,
  type EventHandlerRegistration,
} from './event-consumer';
import { EventPublisher } from './event-publisher';
import { createKafka, createProducer } from './kafka';
import type { KafkaSecurity } from './kafka-security';
import { auditEventDraft, type AuditRecord } from './audit-event';
import {
  addAllToOutbox,
  addToOutbox,
  outboxStatement,
  type EventDraft,
  type OutboxRecord,
} from './outbox';
import type { SqlStatement } from '@switchboard/tenancy';
import { OutboxRelay } from './outbox-relay';
import type { JobLogger } from './leader-lease';
import type { SqlRunner } from './event-tables';

export interface EventsModuleOptions {
  /** The service's name: `ce_source`, default consumer group, relay lease. */
  service: string;
  brokers: string[];
  /** The service database, application role (the relay's own connection). */
  databaseUrl: string;
  groupId?: string;
  idempotentProducer?: boolean;
  fastConsumers?: boolean;
  /** Run the outbox relay in this process (default true). */
  relay?: boolean;
  /** Run the consumers of the @OnEvent handlers in this process (default true). */
  consume?: boolean;
  relayPollIntervalMs?: number;
  maxAttempts?: number;
  retryInitialMs?: number;
  /** Partitions handled at the same time; only for handlers safe to run concurrently (default 1). */
  partitionsConsumedConcurrently?: number;
  /**
   * Records arriving together applied up to this many a transaction when all their handlers are
   * `batchable` (EventConsumerOptions.batchMax; default 1).
   */
  batchMax?: number;
  /** TLS and SASL for a real cluster: `kafkaSecurityOptions(config)` (none by default). */
  security?: KafkaSecurity;
}

export const EVENTS_OPTIONS = Symbol('EVENTS_OPTIONS');
export const KAFKA = Symbol('KAFKA');
const ON_EVENT = Symbol('switchboard:on-event');

interface OnEventMetadata {
  topic: TopicSpec<DescMessage>;
  types?: string[];
  relevant?: (
    event: ConsumedEvent,
    provider: never,
    batch: FetchedBatch,
  ) => boolean | Promise<boolean>;
  batchable?: boolean;
}

/**
 * Declares a Kafka event handler on a provider method:
 *
 *   @OnEvent(Topics.devices.messageState)
 *   async onState(event: ConsumedEvent<typeof devicesV1.MessageStateEventSchema>, tx: EntityManager) {...}
 *
 * `types` narrows to some CloudEvents types of the topic; `relevant`, a test of the event (given
 * the provider too, for one that asks its database in a statement of its own, and the fetched
 * batch, to ask once per batch), skips the ones the handler has nothing to do with before any
 * transaction (see
 * EventHandlerRegistration.relevant). The handler runs in the consumer's transaction (tenant
 * set, dedup recorded); write through `tx`.
 */
export function OnEvent<S extends DescMessage, P = never>(
  topic: TopicSpec<S>,
  options: {
    types?: string[];
    relevant?: (
      event: ConsumedEvent<S>,
      provider: P,
      batch: FetchedBatch,
    ) => boolean | Promise<boolean>;
    /** Writes only through `tx`: may share a transaction with other records (batchMax). */
    batchable?: boolean;
  } = {},
) {
  return (
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<EventHandlerFn<S>>,
  ) => {
    SetMetadata(ON_EVENT, {
      topic,
      types: options.types,
      relevant: options.relevant as OnEventMetadata['relevant'],
      batchable: options.batchable,
    } satisfies OnEventMetadata)(_target, _key, descriptor);
  };
}

/** Writes events into the outbox, inside the caller's transaction. */
@Injectable()
export class OutboxWriter {
  constructor(@Inject(EVENTS_OPTIONS) private readonly options: EventsModuleOptions) {}

  add<S extends DescMessage>(tx: SqlRunner, draft: EventDraft<S>): Promise<OutboxRecord> {
    return addToOutbox(tx, this.options.service, draft);
  }

  /** Several events in one statement, in order (see addAllToOutbox). */
  addAll(tx: SqlRunner, drafts: readonly EventDraft<DescMessage>[]): Promise<OutboxRecord[]> {
    return addAllToOutbox(tx, this.options.service, drafts);
  }

  /** `addAll`'s statement, not run (see outboxStatement); none for no drafts. */
  statement(drafts: readonly EventDraft<DescMessage>[]): SqlStatement | undefined {
    return drafts.length ? outboxStatement(this.options.service, drafts).statement : undefined;
  }

  /** An audit log entry of this service (`compliance.audit.v1`), in the caller's transaction. */
  audit(tx: SqlRunner, entry: AuditRecord): Promise<OutboxRecord> {
    return addToOutbox(tx, this.options.service, auditEventDraft(entry, this.options.service));
  }
}

/** A JobLogger writing structured lines through Nest's logger (`{ msg, ...fields }`). */
export const nestJobLogger = (context: string): JobLogger => {
  const logger = new Logger(context);
  return {
    warn: (message: string, fields?: Record<string, unknown>) =>
      logger.warn({ msg: message, ...fields }),
    error: (message: string, fields?: Record<string, unknown>) =>
      logger.error({ msg: message, ...fields }),
  };
};

/** Starts the relay and the consumers with the application, stops them gracefully with it. */
@Injectable()
export class EventsRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private consumer?: EventConsumer;

  constructor(
    @Inject(EVENTS_OPTIONS) private readonly options: EventsModuleOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The handlers declared with @OnEvent in the application. */
  handlers(): EventHandlerRegistration<DescMessage>[] {
    const found: EventHandlerRegistration<DescMessage>[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const meta = Reflect.getMetadata(ON_EVENT, prototype[method]) as
          OnEventMetadata | undefined;
        if (!meta) continue;
        found.push({
          topic: meta.topic,
          types: meta.types,
          relevant:
            meta.relevant && ((event, batch) => meta.relevant!(event, instance as never, batch)),
          batchable: meta.batchable,
          name: `${instance.constructor.name}.${method}`,
          handle: (event, tx) => (instance[method] as EventHandlerFn).call(instance, event, tx),
        });
      }
    }
    return found;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay ?? true) {
      this.relay = new OutboxRelay({
        connectionString: this.options.databaseUrl,
        publisher: this.publisher,
        leaseName: this.options.service,
        pollIntervalMs: this.options.relayPollIntervalMs,
        logger: nestJobLogger('OutboxRelay'),
      });
      this.relay.start();
    }
    if (this.options.consume ?? true) {
      const handlers = this.handlers();
      if (handlers.length > 0) {
        this.consumer = new EventConsumer({
          kafka: this.kafka,
          groupId: this.options.groupId ?? this.options.service,
          dataSource: this.moduleRef.get(DataSource, { strict: false }),
          publisher: this.publisher,
          handlers,
          fastConsumer: this.options.fastConsumers,
          maxAttempts: this.options.maxAttempts,
          retryInitialMs: this.options.retryInitialMs,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
          batchMax: this.options.batchMax,
          logger: nestJobLogger('EventConsumer'),
        });
        await this.consumer.start();
      }
    }
  }

  /** For readiness: events waiting in the outbox. */
  pendingOutbox(): Promise<number> {
    return this.relay?.pendingCount() ?? Promise.resolve(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.relay?.stop();
    await this.publisher.disconnect();
  }
}

@Module({})
export class EventsModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: unknown[];
    useFactory: (...args: never[]) => EventsModuleOptions | Promise<EventsModuleOptions>;
  }): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        {
          provide: EVENTS_OPTIONS,
          useFactory: options.useFactory,
          inject: (options.inject ?? []) as never[],
        },
        {
          provide: KAFKA,
          useFactory: (o: EventsModuleOptions) =>
            createKafka({ brokers: o.brokers, clientId: o.service, kafkaConfig: o.security }),
          inject: [EVENTS_OPTIONS],
        },
        {
          provide: EventPublisher,
          useFactory: (o: EventsModuleOptions, kafka: Kafka) =>
            new EventPublisher(createProducer(kafka, o)),
          inject: [EVENTS_OPTIONS, KAFKA],
        },
        OutboxWriter,
        EventsRuntime,
      ],
      exports: [OutboxWriter, EventPublisher, EventsRuntime, KAFKA, EVENTS_OPTIONS],
    };
  }
}
