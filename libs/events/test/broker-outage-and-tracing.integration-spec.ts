// What happens around the happy path: the broker goes away, and a trace crosses Kafka.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { startPrivateBroker, stackSetting, type PrivateBroker } from '@switchboard/testing';
import { inTenantTransaction } from '@switchboard/tenancy';
import {
  addToOutbox,
  createProducer,
  EventConsumer,
  EventPublisher,
  OutboxRelay,
} from '@switchboard/events';
import {
  eventsDatabase,
  kafkaFor,
  privateProbeTopic,
  probe,
  recordEffect,
  until,
  type EventsDatabase,
} from './harness';

const orgA = randomUUID();

describe('with the broker down', () => {
  let env: EventsDatabase;
  let broker: PrivateBroker;

  beforeAll(async () => {
    env = await eventsDatabase();
    broker = await startPrivateBroker();
  });
  afterAll(async () => {
    await broker?.stop();
    await env?.close();
  });

  it('keeps events in the outbox and drains them, in order per key, once it is back', async () => {
    const topic = await privateProbeTopic(broker.control);
    const kafka = kafkaFor(broker.brokers);
    const publisher = new EventPublisher(createProducer(kafka, { idempotentProducer: true }));
    const relay = new OutboxRelay({
      connectionString: env.db.appUrl,
      publisher,
      leaseName: 'outage-test',
      pollIntervalMs: 50,
      retryInitialMs: 100,
      retryMaxMs: 500,
    });
    const consumer = new EventConsumer({
      kafka,
      groupId: `outage-${randomUUID()}`,
      dataSource: env.app,
      publisher,
      handlers: [{ topic, name: 'recordEffect', handle: recordEffect as never }],
      fastConsumer: true,
    });
    try {
      await broker.down();
      relay.start();
      const keys = ['a', 'b', 'c'];
      for (let sequence = 1; sequence <= 10; sequence++) {
        for (const key of keys) {
          await inTenantTransaction(env.app, orgA, (tx) =>
            addToOutbox(tx, 'test', { topic, key, event: probe({ key, sequence }), orgId: orgA }),
          );
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
      expect(await relay.pendingCount()).toBe(30); // nothing got out, nothing was lost

      await broker.up();
      await until('the outbox to drain', async () => (await relay.pendingCount()) === 0, 60_000);
      await consumer.start();
      await until('all 30 effects', async () => (await env.effects()).length === 30, 60_000);
      const effects = await env.effects();
      for (const key of keys) {
        expect(effects.filter((e) => e.key === key).map((e) => Number(e.sequence))).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
      }
    } finally {
      await consumer.stop();
      await relay.stop();
      await publisher.disconnect();
    }
  });
});

describe('trace context', () => {
  let env: EventsDatabase;
  let server: Server;
  // Collects ended spans synchronously (the SDK's exporters export asynchronously).
  const ended: ReadableSpan[] = [];
  const collector: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };

  beforeAll(async () => {
    env = await eventsDatabase();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [collector] }));
  });
  afterAll(async () => {
    server?.close();
    await env?.close();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('continues a trace started at an HTTP request in the consumer that handles the resulting event', async () => {
    const topic = await privateProbeTopic();
    const eventId = randomUUID();
    // An HTTP endpoint that, like the services' (via the http instrumentation), continues the
    // caller's trace and writes an event in its transaction.
    server = createServer((req, res) => {
      const parent = propagation.extract(context.active(), req.headers);
      context.with(parent, () =>
        trace.getTracer('test-http').startActiveSpan('POST /things', async (span) => {
          await inTenantTransaction(env.app, orgA, (tx) =>
            addToOutbox(tx, 'test', {
              topic,
              key: 'k',
              event: probe({ key: 'k' }),
              id: eventId,
              orgId: orgA,
            }),
          );
          span.end();
          res.end('ok');
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const traceId = randomUUID().replace(/-/g, '');
    const response = await fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`,
      {
        method: 'POST',
        headers: { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
      },
    );
    expect(response.status).toBe(200);

    const kafka = kafkaFor(stackSetting('KAFKA_BROKERS').split(','));
    const publisher = new EventPublisher(createProducer(kafka, { idempotentProducer: true }));
    const relay = new OutboxRelay({
      connectionString: env.db.appUrl,
      publisher,
      leaseName: 'trace-test',
      pollIntervalMs: 50,
    });
    let handlerTraceId: string | undefined;
    const consumer = new EventConsumer({
      kafka,
      groupId: `trace-${randomUUID()}`,
      dataSource: env.app,
      publisher,
      fastConsumer: true,
      handlers: [
        {
          topic,
          name: 'traceProbe',
          handle: async () => {
            handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          },
        },
      ],
    });
    try {
      relay.start();
      await consumer.start();
      await until('the handler to run', () => handlerTraceId);
      expect(handlerTraceId).toBe(traceId);
      const consumerSpan = await until('the consumer span to end', () =>
        ended.find((s) => s.name === `${topic.name} process`),
      );
      expect(consumerSpan.spanContext().traceId).toBe(traceId);
    } finally {
      await consumer.stop();
      await relay.stop();
      await publisher.disconnect();
    }
  });
});
