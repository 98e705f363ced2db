import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { TopicSpec } from '@switchboard/contracts';
import { dispositionOf } from '@switchboard/errors';
import { isUuid, setTenant } from '@switchboard/tenancy';
import { requestContext } from '@switchboard/observability';
import { backoffDelay, definedOnly, sleep } from './backoff';
import { markConsumerTenant } from './consumer-tenant';
import { consumerTimings } from './kafka';
import { Header, readHeaders, type KafkaHeaders } from './headers';
import type { EventPublisher } from './event-publisher';
import type { RelayLogger } from './outbox-relay';

/** An event as a handler receives it: the decoded protobuf message and its envelope. */
export interface ConsumedEvent<S extends DescMessage = DescMessage> {
  id: string;
  type: string;
  source: string;
  time?: Date;
  subject?: string;
  orgId?: string;
  correlationId?: string;
  causationId?: string;
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  headers: KafkaHeaders;
  message: MessageShape<S>;
}

/**
 * Runs inside the consumer's transaction, which already has the event's tenant set: write
 * through `tx` so the effect commits together with the processed-event record.
 */
export type EventHandlerFn<S extends DescMessage = DescMessage> = (
  event: ConsumedEvent<S>,
  tx: EntityManager,
) => Promise<void>;

export interface EventHandlerRegistration<S extends DescMessage = DescMessage> {
  topic: TopicSpec<S>;
  /** Only these CloudEvents types (e.g. `switchboard.devices.v1.DeviceEvent.registered`); all when empty. */
  types?: string[];
  /** For logs and metrics. */
  name: string;
  handle: EventHandlerFn<S>;
}

export interface EventConsumerOptions {
  kafka: Kafka;
  groupId: string;
  dataSource: DataSource;
  /** Publishes dead letters. */
  publisher: EventPublisher;
  handlers: EventHandlerRegistration<DescMessage>[];
  maxAttempts?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  fastConsumer?: boolean;
  fromBeginning?: boolean;
  /**
   * Partitions handled at the same time (order holds within each partition). Default 1: a
   * service raises it only when its handlers are safe to run concurrently for different keys.
   */
  partitionsConsumedConcurrently?: number;
  logger?: RelayLogger;
}

class PermanentFailure extends Error {}

const tracer = trace.getTracer('@switchboard/events');
const silent: RelayLogger = { warn: () => undefined, error: () => undefined };

/**
 * The consumer every service uses. For each record: decode it by the topic's schema; in ONE
 * transaction record the event id in `processed_events` (a duplicate stops here) and run the
 * handlers; retry transient failures with backoff, blocking the partition so order holds; send
 * undecodable records and permanent failures to the topic's DLQ with the error in headers, and
 * move on. Offsets are committed only after a record is done (handled, duplicate, or
 * dead-lettered). The trace continues from the record's `traceparent`.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private stopping = { aborted: false };
  private readonly byTopic = new Map<string, EventHandlerRegistration<DescMessage>[]>();
  private readonly o: Required<
    Omit<EventConsumerOptions, 'fastConsumer' | 'fromBeginning' | 'partitionsConsumedConcurrently'>
  > &
    Pick<EventConsumerOptions, 'fastConsumer' | 'fromBeginning' | 'partitionsConsumedConcurrently'>;

  constructor(options: EventConsumerOptions) {
    this.o = {
      maxAttempts: 5,
      retryInitialMs: 200,
      retryMaxMs: 5000,
      logger: silent,
      ...definedOnly(options),
    };
    for (const handler of options.handlers) {
      const list = this.byTopic.get(handler.topic.name) ?? [];
      list.push(handler);
      this.byTopic.set(handler.topic.name, list);
    }
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  async start(): Promise<void> {
    if (this.byTopic.size === 0) return;
    this.stopping = { aborted: false };
    const consumer = this.o.kafka.consumer({
      groupId: this.o.groupId,
      ...consumerTimings(this.o.fastConsumer ?? false),
    });
    this.consumer = consumer;
    await consumer.connect();
    await this.o.publisher.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 1,
      eachMessage: (payload) => this.onMessage(payload),
    });
  }

  /** Waits for the record in progress, commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping.aborted = true;
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const handlers = this.byTopic.get(topic) ?? [];
    const headers = readHeaders(message.headers as Record<string, unknown>);
    const base = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8'),
      headers,
    };
    const parent = propagation.extract(context.active(), headers);
    // Logs and events written while handling carry the event's correlation (or start one).
    const correlation = {
      correlationId:
        headers[Header.correlationId] ??
        headers[Header.id] ??
        `${topic}/${partition}/${message.offset}`,
      tenantId: headers[Header.orgId],
    };
    await requestContext.run(correlation, () =>
      context.with(parent, () =>
        tracer.startActiveSpan(
          `${topic} process`,
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.destination.name': topic,
              'messaging.kafka.consumer.group': this.o.groupId,
            },
          },
          async (span) => {
            try {
              let event: ConsumedEvent;
              try {
                event = this.decode(handlers[0]?.topic, base, message.value);
              } catch (error) {
                await this.deadLetter(
                  topic,
                  partition,
                  message,
                  headers,
                  error as Error,
                  'undecodable',
                  0,
                );
                span.setStatus({ code: SpanStatusCode.ERROR, message: 'undecodable' });
                return;
              }
              const matching = handlers.filter(
                (h) => !h.types?.length || h.types.includes(event.type),
              );
              if (matching.length === 0) return;
              await this.handleWithRetries(event, matching, message, span);
            } finally {
              span.end();
            }
          },
        ),
      ),
    );
  }

  private decode(
    spec: TopicSpec<DescMessage> | undefined,
    base: Omit<ConsumedEvent, 'id' | 'type' | 'source' | 'message'>,
    value: Buffer | null,
  ): ConsumedEvent {
    if (!spec) throw new PermanentFailure('no handler for this topic');
    const h = base.headers;
    if (!h[Header.id]) throw new PermanentFailure(`missing ${Header.id} header`);
    if (!value) throw new PermanentFailure('empty record value');
    const orgId = h[Header.orgId];
    if (orgId !== undefined && !isUuid(orgId))
      throw new PermanentFailure(`${Header.orgId} is not a uuid`);
    const message = fromBinary(spec.schema, value);
    const time = h[Header.time] ? new Date(h[Header.time]) : undefined;
    return {
      ...base,
      id: h[Header.id],
      type: h[Header.type] ?? spec.schema.typeName,
      source: h[Header.source] ?? '',
      time: time && !Number.isNaN(time.getTime()) ? time : undefined,
      subject: h[Header.subject],
      orgId,
      correlationId: h[Header.correlationId],
      causationId: h[Header.causationId],
      message,
    };
  }

  private async handleWithRetries(
    event: ConsumedEvent,
    handlers: EventHandlerRegistration<DescMessage>[],
    message: EachMessagePayload['message'],
    span: {
      setStatus(s: { code: SpanStatusCode; message?: string }): void;
      recordException(e: Error): void;
    },
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.dataSource.transaction(async (tx) => {
          if (event.orgId) {
            const orgId = event.orgId.toLowerCase();
            await setTenant(tx, orgId);
            markConsumerTenant(tx, orgId); // enterEventTenant need not set it again
          }
          const inserted: unknown[] = await tx.query(
            `INSERT INTO processed_events (consumer_group, event_id, topic) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.o.groupId, event.id, event.topic],
          );
          if (inserted.length === 0) return; // already applied: a redelivery
          for (const handler of handlers) await handler.handle(event, tx);
        });
        return;
      } catch (error) {
        const err = error as Error;
        span.recordException(err);
        const permanent = dispositionOf(err) === 'dead-letter';
        if (permanent || attempt >= this.o.maxAttempts) {
          this.o.logger.error('event handler failed; dead-lettering', {
            topic: event.topic,
            eventId: event.id,
            type: event.type,
            attempt,
            error: err.message,
          });
          await this.deadLetter(
            event.topic,
            event.partition,
            message,
            event.headers,
            err,
            permanent ? 'permanent-failure' : 'retries-exhausted',
            attempt,
          );
          span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          return;
        }
        if (this.stopping.aborted) throw err; // not committed: redelivered after restart
        this.o.logger.warn('event handler failed; retrying', {
          topic: event.topic,
          eventId: event.id,
          attempt,
          error: err.message,
        });
        await sleep(backoffDelay(attempt, this.o.retryInitialMs, this.o.retryMaxMs), this.stopping);
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: EachMessagePayload['message'],
    headers: KafkaHeaders,
    error: Error,
    reason: string,
    attempts: number,
  ): Promise<void> {
    const spec = this.byTopic.get(topic)?.[0]?.topic;
    await this.o.publisher.publish([
      {
        topic: spec?.dlq ?? `${topic}.dlq`,
        key: message.key?.toString('utf8') ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...headers,
          [Header.dlqError]: error.message.slice(0, 1000),
          [Header.dlqReason]: reason,
          [Header.dlqTopic]: topic,
          [Header.dlqPartition]: String(partition),
          [Header.dlqOffset]: message.offset,
          [Header.dlqGroup]: this.o.groupId,
          [Header.dlqAttempts]: String(attempts),
        },
      },
    ]);
  }
}
