import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { TopicSpec } from '@switchboard/contracts';
import { dispositionOf } from '@switchboard/errors';
import { isUuid, noteTenantSet, tenantChangesOf, TENANT_SETTING } from '@switchboard/tenancy';
import { requestContext } from '@switchboard/observability';
import { backoffDelay, definedOnly, sleep } from './backoff';
import { markConsumerTenant } from './consumer-tenant';
import { consumerTimings } from './kafka';
import { Header, readHeaders, type KafkaHeaders } from './headers';
import type { EventPublisher } from './event-publisher';
import type { RelayLogger } from './outbox-relay';

/**
 * Answers shared by the records of one fetched batch (a `relevant` test asks its database once
 * per organization, not once per record). Every record of a batch was produced before the
 * batch was fetched, and a `once` load runs after: an answer reflects every change committed
 * before any of the batch's records was written (e.g. an endpoint created, then an event).
 */
export class FetchedBatch {
  private readonly answers = new Map<string, Promise<unknown>>();

  /** What `load` answers, asked once per batch and key; a rejected load is not kept. */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    const known = this.answers.get(key) as Promise<T> | undefined;
    if (known) return known;
    const loading = load();
    this.answers.set(key, loading);
    loading.catch(() => this.answers.delete(key));
    return loading;
  }
}

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
  /**
   * A pure test of the decoded event (payload and envelope): false when the handler has nothing
   * to do with it. When no handler of a record finds it relevant, the consumer opens no
   * transaction and records no processed event (a no-op needs no dedupe row): the offset just
   * moves on. Only for skips without side effects; a predicate that throws (or rejects) counts
   * as relevant. It may ask the database in a statement of its own (no transaction is open yet),
   * once per fetched batch through `batch.once`.
   */
  relevant?: (event: ConsumedEvent<S>, batch: FetchedBatch) => boolean | Promise<boolean>;
  /**
   * The handler only writes through `tx` (no mail, no HTTP call, nothing outside the
   * transaction): records waiting together may then be applied in one transaction (see
   * EventConsumerOptions.batchMax). A handler that is not may run again after another record
   * of its batch failed, so it must say nothing here.
   */
  batchable?: boolean;
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
  /**
   * Records of one partition that arrive together are applied up to this many in ONE transaction
   * (one multi-row processed-event insert, the tenant set per record, one commit) when every
   * handler they reach is `batchable`, in tenant order (stable: a key's records keep their
   * order), so batches of concurrent partitions take per-organization locks in one order; any failure rolls that transaction back and the records
   * go again one at a time, with the usual retries and dead letters, so each is still applied
   * exactly once. Default 1: one record a transaction.
   */
  batchMax?: number;
  /**
   * How long a batch's transaction waits for a row lock before it gives up (PostgreSQL
   * `lock_timeout`; default 200 ms) and its records go one at a time, each waiting as long as it
   * must. Two batches of one organization from different partitions may lock rows they share
   * (a device, a plan) in different orders; this bounds what such a deadlock costs to the timeout
   * instead of PostgreSQL's deadlock detection (deadlock_timeout, 1 s by default).
   */
  batchLockTimeoutMs?: number;
  logger?: RelayLogger;
}

class PermanentFailure extends Error {}

/** Records the event for the consumer group; no row back: applied before (a redelivery). */
const RECORD = `INSERT INTO processed_events (consumer_group, event_id, topic) VALUES ($1, $2, $3)
  ON CONFLICT DO NOTHING RETURNING event_id`;
/**
 * The same, setting the event's tenant ($4, a uuid: decode checked it) for the rest of the
 * transaction first — what setTenant does, without a round trip of its own. processed_events has
 * no row-level security, so the order inside the statement does not matter to it.
 */
const RECORD_IN_TENANT = `WITH tenant AS (SELECT set_config('${TENANT_SETTING}', $4::text, true))
  INSERT INTO processed_events (consumer_group, event_id, topic)
  SELECT $1::text, $2::text, $3::text FROM tenant
  ON CONFLICT DO NOTHING RETURNING event_id`;

/**
 * Several events of one topic recorded at once; the rows back are the ones not applied before.
 * Sets the transaction's lock_timeout ($4) first, in the same round trip.
 */
const RECORD_MANY = `WITH settings AS (SELECT set_config('lock_timeout', $4::text, true))
  INSERT INTO processed_events (consumer_group, event_id, topic)
  SELECT $1::text, id, $3::text FROM settings, unnest($2::text[]) AS id
  ON CONFLICT DO NOTHING RETURNING event_id`;
const SET_TENANT = `SELECT set_config('${TENANT_SETTING}', $1::text, true)`;

/** A record's envelope as ConsumedEvent carries it. */
function baseOf(topic: string, partition: number, message: KafkaMessage) {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8'),
    headers: readHeaders(message.headers as Record<string, unknown>),
  };
}

/** Logs and events written while handling carry the event's correlation (or start one). */
function correlationOf(headers: KafkaHeaders, topic: string, partition: number, offset: string) {
  return {
    correlationId:
      headers[Header.correlationId] ?? headers[Header.id] ?? `${topic}/${partition}/${offset}`,
    tenantId: headers[Header.orgId],
  };
}

function compareTenants(a: string | undefined, b: string | undefined): number {
  const x = a?.toLowerCase() ?? '';
  const y = b?.toLowerCase() ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The handlers of the event's type that find it relevant. */
async function handlersFor(
  handlers: EventHandlerRegistration<DescMessage>[],
  event: ConsumedEvent,
  batch: FetchedBatch,
): Promise<EventHandlerRegistration<DescMessage>[]> {
  const matching: EventHandlerRegistration<DescMessage>[] = [];
  for (const handler of handlers) {
    if (handler.types?.length && !handler.types.includes(event.type)) continue;
    if (await isRelevant(handler, event, batch)) matching.push(handler);
  }
  return matching;
}

async function isRelevant(
  handler: EventHandlerRegistration<DescMessage>,
  event: ConsumedEvent,
  batch: FetchedBatch,
): Promise<boolean> {
  if (!handler.relevant) return true;
  try {
    return await handler.relevant(event, batch);
  } catch {
    return true; // the handler decides (and validates) in its transaction
  }
}

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
    Omit<
      EventConsumerOptions,
      | 'fastConsumer'
      | 'fromBeginning'
      | 'partitionsConsumedConcurrently'
      | 'batchMax'
      | 'batchLockTimeoutMs'
    >
  > &
    Pick<
      EventConsumerOptions,
      | 'fastConsumer'
      | 'fromBeginning'
      | 'partitionsConsumedConcurrently'
      | 'batchMax'
      | 'batchLockTimeoutMs'
    >;

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
    const batchMax = this.o.batchMax ?? 1;
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload, batchMax),
    });
  }

  /** Waits for the record in progress, commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping.aborted = true;
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /**
   * A fetched batch of one partition, in chunks of `batchMax` records: a chunk goes in one
   * transaction when it can (applyTogether), else one record at a time; offsets are resolved as
   * records finish, so a stop or a rebalance loses nothing that was not committed. The records
   * share one FetchedBatch for their `relevant` tests.
   */
  private async onBatch(payload: EachBatchPayload, batchMax: number): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const fetched = new FetchedBatch();
    for (let i = 0; i < batch.messages.length; i += batchMax) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + batchMax);
      if (await this.applyTogether(topic, partition, chunk, fetched)) {
        for (const message of chunk) resolveOffset(message.offset);
      } else {
        for (const message of chunk) {
          if (!isRunning() || isStale()) return;
          await this.onMessage(topic, partition, message, fetched);
          resolveOffset(message.offset);
          await heartbeat();
        }
      }
      await heartbeat();
    }
  }

  /**
   * Applies a chunk of records in ONE transaction, or answers false to have them handled one by
   * one: a chunk with an undecodable record (dead-lettered in order by the one-by-one path), a
   * handler that is not batchable, fewer than two records with work, or any failure (the
   * transaction rolls back, nothing of the chunk is recorded). Records no handler finds relevant
   * are skipped as one by one.
   */
  private async applyTogether(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    fetched: FetchedBatch,
  ): Promise<boolean> {
    if (chunk.length < 2) return false;
    const handlers = this.byTopic.get(topic) ?? [];
    const work: { event: ConsumedEvent; handlers: EventHandlerRegistration<DescMessage>[] }[] = [];
    for (const message of chunk) {
      let event: ConsumedEvent;
      try {
        event = this.decode(handlers[0]?.topic, baseOf(topic, partition, message), message.value);
      } catch {
        return false;
      }
      const matching = await handlersFor(handlers, event, fetched);
      if (matching.length === 0) continue;
      if (matching.some((h) => !h.batchable)) return false;
      work.push({ event, handlers: matching });
    }
    if (work.length === 0) return true;
    if (work.length === 1) return false;
    // In tenant order, so that concurrent batches take per-organization locks in one order (no
    // deadlock). Stable: a key's records keep their order (a key belongs to one tenant).
    work.sort((a, b) => compareTenants(a.event.orgId, b.event.orgId));
    try {
      await this.o.dataSource.transaction(async (tx) => {
        const recorded: { event_id: string }[] = await tx.query(RECORD_MANY, [
          this.o.groupId,
          work.map((w) => w.event.id),
          topic,
          `${this.o.batchLockTimeoutMs ?? 200}ms`,
        ]);
        const fresh = new Set(recorded.map((r) => r.event_id));
        // The tenant this loop set last, while no handler has set one since (records are in
        // tenant order: a run of one organization's records sets it once).
        let entered: { orgId: string; changes: number } | undefined;
        for (const { event, handlers: matching } of work) {
          if (!fresh.delete(event.id)) continue; // applied before, or earlier in this chunk
          const orgId = event.orgId?.toLowerCase() ?? '';
          // Each record has its own tenant (none: RLS shows nothing), as in a transaction of its own.
          if (entered?.orgId !== orgId || entered.changes !== tenantChangesOf(tx)) {
            noteTenantSet(tx);
            await tx.query(SET_TENANT, [orgId]);
            entered = { orgId, changes: tenantChangesOf(tx) };
          }
          if (orgId) markConsumerTenant(tx, orgId);
          await requestContext.run(
            correlationOf(event.headers, topic, partition, event.offset),
            () =>
              context.with(propagation.extract(context.active(), event.headers), async () => {
                for (const handler of matching) await handler.handle(event, tx);
              }),
          );
        }
      });
      return true;
    } catch (error) {
      this.o.logger.warn('a batch of events failed; handling its records one by one', {
        topic,
        partition,
        records: chunk.length,
        error: (error as Error).message,
      });
      return false;
    }
  }

  private async onMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    fetched: FetchedBatch,
  ): Promise<void> {
    const handlers = this.byTopic.get(topic) ?? [];
    const base = baseOf(topic, partition, message);
    const headers = base.headers;
    const parent = propagation.extract(context.active(), headers);
    // Logs and events written while handling carry the event's correlation (or start one).
    const correlation = correlationOf(headers, topic, partition, message.offset);
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
              const matching = await handlersFor(handlers, event, fetched);
              // Nothing to do: no transaction, no processed-event row (issue 17).
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
          const orgId = event.orgId?.toLowerCase();
          // The envelope's tenant and the processed-event record in one round trip (issue 17).
          const inserted: unknown[] = orgId
            ? await tx.query(RECORD_IN_TENANT, [this.o.groupId, event.id, event.topic, orgId])
            : await tx.query(RECORD, [this.o.groupId, event.id, event.topic]);
          if (orgId) markConsumerTenant(tx, orgId); // enterEventTenant need not set it again
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
