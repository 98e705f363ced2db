// Shared set-up of the events library's integration tests: a fresh service database with the
// event tables, a topic of the test's own (so parallel test files never see each other's
// records), and a consumer that records what it applied.
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { Topics, testingV1, type TopicSpec } from '@switchboard/contracts';
import {
  brokerControl,
  createTestDatabase,
  stackSetting,
  type TestDatabase,
} from '@switchboard/testing';
import { createTenantTable } from '@switchboard/tenancy';
import { createEventTables, readHeaders, type ConsumedEvent, Header } from '@switchboard/events';

export type ProbeTopic = TopicSpec<typeof testingV1.ProbeSchema>;
export const APP_ROLE = 'messaging_app';

/** A copy of the probe topic under a name of this test's own, created on the broker. */
export async function privateProbeTopic(
  control = stackSetting('KAFKA_CONTROL'),
): Promise<ProbeTopic> {
  const name = `testing.probe-${randomUUID().slice(0, 8)}.v1`;
  const spec: ProbeTopic = { ...Topics.testing.probe, name, dlq: `${name}.dlq` };
  await brokerControl(`topic ${spec.name} 4`, control);
  await brokerControl(`topic ${spec.dlq} 4`, control);
  return spec;
}

export interface EventsDatabase {
  db: TestDatabase;
  app: DataSource;
  close(): Promise<void>;
  /** Rows the test handler wrote: one per application of an event. */
  effects(): Promise<{ event_id: string; key: string; sequence: string; org_id: string }[]>;
}

export async function eventsDatabase(): Promise<EventsDatabase> {
  const db = await createTestDatabase('messaging');
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  await createEventTables(owner, APP_ROLE);
  // No unique constraint on purpose: a second application of an event would show up.
  await createTenantTable(
    owner,
    'probe_effects',
    'id bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, sequence bigint NOT NULL',
    APP_ROLE,
  );
  await owner.query('GRANT USAGE, SELECT ON SEQUENCE probe_effects_id_seq TO messaging_app');
  await owner.end();
  const app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 5 } });
  await app.initialize();
  return {
    db,
    app,
    async close() {
      await app.destroy();
      await db.drop();
    },
    async effects() {
      // Read as the owner: the effects of every tenant.
      const c = new Client({ connectionString: db.ownerUrl });
      await c.connect();
      try {
        await c.query('ALTER TABLE probe_effects NO FORCE ROW LEVEL SECURITY');
        const { rows } = await c.query(
          'SELECT event_id, key, sequence::text, org_id FROM probe_effects ORDER BY id',
        );
        await c.query('ALTER TABLE probe_effects FORCE ROW LEVEL SECURITY');
        return rows;
      } finally {
        await c.end();
      }
    },
  };
}

/** The handler under test: records the event in probe_effects through the consumer's transaction. */
export async function recordEffect(
  event: ConsumedEvent<typeof testingV1.ProbeSchema>,
  tx: EntityManager,
): Promise<void> {
  if (event.message.fail) throw new Error(`probe ${event.message.id} asked to fail`);
  await tx.query(
    'INSERT INTO probe_effects (org_id, event_id, key, sequence) VALUES ($1, $2, $3, $4)',
    [event.orgId, event.id, event.message.key, event.message.sequence],
  );
}

export function kafkaFor(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'events-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

/** Reads a whole topic from the beginning into memory, continuously, for assertions. */
export async function tap(kafka: Kafka, topic: string) {
  const records: {
    key: string;
    value: Buffer;
    headers: Record<string, string>;
    partition: number;
  }[] = [];
  const consumer = kafka.consumer({
    groupId: `tap-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: 3000,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      records.push({
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: readHeaders(message.headers as Record<string, unknown>),
        partition,
      });
    },
  });
  return {
    records,
    withId: (id: string) => records.filter((r) => r.headers[Header.id] === id),
    stop: () => consumer.disconnect(),
  };
}

export function probe(init: { id?: string; key: string; sequence?: number; fail?: boolean }) {
  return create(testingV1.ProbeSchema, {
    id: init.id ?? randomUUID(),
    key: init.key,
    sequence: BigInt(init.sequence ?? 0),
    fail: init.fail ?? false,
  });
}

export function probeBytes(init: { key: string; sequence?: number; fail?: boolean }): Buffer {
  return Buffer.from(toBinary(testingV1.ProbeSchema, probe(init)));
}

export async function until<T>(
  what: string,
  probeFn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probeFn();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
