// The outbox and the consumer base against real PostgreSQL and the real broker.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { recordSqlStatements, stackSetting } from '@switchboard/testing';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { inTenantTransaction, setTenant } from '@switchboard/tenancy';
import {
  addToOutbox,
  createProducer,
  EventConsumer,
  EventPublisher,
  Header,
  OutboxRelay,
  type ConsumedEvent,
  type FetchedBatch,
} from '@switchboard/events';
import type { testingV1 } from '@switchboard/contracts';
import {
  eventsDatabase,
  kafkaFor,
  privateProbeTopic,
  probe,
  probeBytes,
  recordEffect,
  tap,
  until,
  type EventsDatabase,
  type ProbeTopic,
} from './harness';

const brokers = () => stackSetting('KAFKA_BROKERS').split(',');
const orgA = randomUUID();

describe('transactional outbox and idempotent consumer', () => {
  let env: EventsDatabase;
  let topic: ProbeTopic;
  const kafka = kafkaFor(brokers());
  const publisher = new EventPublisher(createProducer(kafka, { idempotentProducer: true }));
  const stops: (() => Promise<unknown>)[] = [];

  /** A probe record of orgA, keyed 'k': one partition, so a consumer fetches them together. */
  const probeRecord = (id: string, value: Buffer) => ({
    topic: topic.name,
    key: 'k',
    value,
    headers: { [Header.id]: id, [Header.orgId]: orgA },
  });

  function consumer(
    handle = recordEffect,
    extra: Partial<ConstructorParameters<typeof EventConsumer>[0]> = {},
  ) {
    const c = new EventConsumer({
      kafka,
      groupId: `events-test-${randomUUID()}`,
      dataSource: env.app,
      publisher,
      handlers: [{ topic, name: 'recordEffect', handle: handle as never }],
      fastConsumer: true,
      retryInitialMs: 20,
      retryMaxMs: 50,
      maxAttempts: 3,
      ...extra,
    });
    stops.push(() => c.stop());
    return c;
  }

  beforeEach(async () => {
    env = await eventsDatabase();
    topic = await privateProbeTopic();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await env.close();
  });
  afterAll(() => publisher.disconnect());

  it('never publishes an event of a rolled-back transaction, and applies a committed one exactly once even when the relay dies between publishing and marking', async () => {
    const wire = await tap(kafka, topic.name);
    stops.push(wire.stop);
    const rolledBack = randomUUID();
    await expect(
      inTenantTransaction(env.app, orgA, async (tx) => {
        await addToOutbox(tx, 'test', {
          topic,
          key: 'k',
          event: probe({ key: 'k' }),
          id: rolledBack,
          orgId: orgA,
        });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const committed = randomUUID();
    await inTenantTransaction(env.app, orgA, (tx) =>
      addToOutbox(tx, 'test', {
        topic,
        key: 'k',
        event: probe({ key: 'k', sequence: 1 }),
        id: committed,
        orgId: orgA,
      }),
    );

    // Relay 1 publishes, then "crashes" before it can mark the batch.
    let crashed = false;
    const relay1 = new OutboxRelay({
      connectionString: env.db.appUrl,
      publisher,
      leaseName: 'events-test',
      pollIntervalMs: 50,
      retryInitialMs: 10_000,
      afterPublish: async () => {
        crashed = true;
        throw new Error('killed between publish and mark');
      },
    });
    relay1.start();
    await until('relay 1 to publish', () => crashed);
    await relay1.stop();
    expect(await relay1.pendingCount()).toBe(1);

    // Relay 2 takes over and publishes the same event again.
    const relay2 = new OutboxRelay({
      connectionString: env.db.appUrl,
      publisher,
      leaseName: 'events-test',
      pollIntervalMs: 50,
    });
    stops.push(() => relay2.stop());
    relay2.start();
    await until('the outbox to drain', async () => (await relay2.pendingCount()) === 0);
    await until('both copies on the wire', () => wire.withId(committed).length === 2);

    await consumer().start();
    await until('the effect', async () => (await env.effects()).length > 0);
    await new Promise((r) => setTimeout(r, 500)); // room for a second (wrong) application
    const effects = await env.effects();
    expect(effects.filter((e) => e.event_id === committed)).toHaveLength(1);
    expect(effects.filter((e) => e.event_id === rolledBack)).toHaveLength(0);
    expect(wire.withId(rolledBack)).toHaveLength(0);
    const headers = wire.withId(committed)[0].headers;
    expect(headers).toMatchObject({
      [Header.specVersion]: '1.0',
      [Header.type]: 'switchboard.testing.v1.Probe',
      [Header.source]: '/switchboard/test',
      [Header.orgId]: orgA,
      [Header.contentType]: 'application/protobuf',
    });
  });

  it('relays events written while a batch is on its way in the same run, marking each batch as it reads the next', async () => {
    const wire = await tap(kafka, topic.name);
    stops.push(wire.stop);
    const write = (id: string, sequence: number) =>
      inTenantTransaction(env.app, orgA, (tx) =>
        addToOutbox(tx, 'test', {
          topic,
          key: 'k',
          event: probe({ key: 'k', sequence }),
          id,
          orgId: orgA,
        }),
      );
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    await write(first, 1);
    // The relay's statements on the outbox, with the rows each read.
    const relayed: { sql: string; read: number }[] = [];
    const original = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
      this: Client,
      ...args: unknown[]
    ) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      const sql = String(text).replace(/\s+/g, ' ').trim();
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      const relays = /^(WITH marked|UPDATE outbox|SELECT id, event_id)/.test(sql);
      if (relays && result instanceof Promise) {
        void result.then(
          (r: { rows?: unknown[] }) => relayed.push({ sql, read: r.rows?.length ?? 0 }),
          () => undefined,
        );
      }
      return result as never;
    } as never);
    let written = false;
    const relay = new OutboxRelay({
      connectionString: env.db.appUrl,
      publisher,
      leaseName: 'events-test',
      pollIntervalMs: 60_000,
      afterPublish: async () => {
        if (written) return;
        written = true;
        await write(second, 2); // while the first batch is on its way
        await write(third, 3);
      },
    });
    try {
      stops.push(() => relay.stop());
      relay.start();
      await until('the outbox to drain', async () => (await relay.pendingCount()) === 0);
      await until('the three on the wire', () => wire.records.length >= 3);
    } finally {
      spy.mockRestore();
    }
    expect(wire.records.map((r) => r.headers[Header.id])).toEqual([first, second, third]);
    // Never a separate mark: each batch is marked by the statement that reads the next, and the
    // events written meanwhile were read by the one that marked the first batch.
    expect(relayed.every((s) => s.sql.startsWith('WITH marked AS (UPDATE outbox'))).toBe(true);
    expect(relayed.slice(0, 2).map((s) => s.read)).toEqual([1, 2]);
  });

  it('changes nothing when the same event is delivered again', async () => {
    const id = randomUUID();
    const record = probeRecord(id, probeBytes({ key: 'k', sequence: 7 }));
    await consumer().start();
    await publisher.publish([record]);
    await until('the first application', async () => (await env.effects()).length === 1);
    await publisher.publish([record, record]);
    const marker = randomUUID();
    await publisher.publish([{ ...record, headers: { ...record.headers, [Header.id]: marker } }]);
    await until('the marker behind the redeliveries', async () =>
      (await env.effects()).some((e) => e.event_id === marker),
    );
    expect((await env.effects()).filter((e) => e.event_id === id)).toHaveLength(1);
  });

  it('opens no transaction for events no handler finds relevant, and sets the tenant and records a relevant one in one statement', async () => {
    const statements: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
      this: PostgresQueryRunner,
      ...args
    ) {
      statements.push(String(args[0]).replace(/\s+/g, ' ').trim());
      return original.apply(this, args);
    });
    try {
      const c = new EventConsumer({
        kafka,
        groupId: `events-test-${randomUUID()}`,
        dataSource: env.app,
        publisher,
        handlers: [
          {
            topic,
            name: 'recordEffect',
            handle: recordEffect as never,
            // Asynchronous, as a test that asks the database is; one that rejects counts as
            // relevant (the handler decides in its transaction).
            relevant: async (event) => {
              const { key } = (event as ConsumedEvent<typeof testingV1.ProbeSchema>).message;
              await new Promise((resolve) => setImmediate(resolve));
              if (key === 'unsure') throw new Error('cannot tell');
              return key !== 'skip';
            },
          },
        ],
        fastConsumer: true,
      });
      stops.push(() => c.stop());
      await c.start();
      const skipped = [randomUUID(), randomUUID(), randomUUID()];
      const [unsure, marker] = [randomUUID(), randomUUID()];
      await publisher.publish([
        ...skipped.map((id) => probeRecord(id, probeBytes({ key: 'skip' }))),
        probeRecord(unsure, probeBytes({ key: 'unsure', sequence: 1 })),
        probeRecord(marker, probeBytes({ key: 'k', sequence: 2 })),
      ]);
      await until('the relevant event behind the skipped ones', async () =>
        (await env.effects()).some((e) => e.event_id === marker),
      );
      expect((await env.effects()).map((e) => e.event_id).sort()).toEqual([unsure, marker].sort());
      // One transaction for each handled event: begin, the tenant and the processed event in one
      // statement, the effect (under row-level security: the tenant is set), commit.
      const transaction = ['START TRANSACTION', 'WITH tenant', 'INSERT INTO', 'COMMIT'];
      expect(statements.map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
        ...transaction,
        ...transaction,
      ]);
      const rows: { event_id: string }[] = await env.app.query(
        `SELECT event_id FROM processed_events`,
      );
      expect(rows.map((r) => r.event_id).sort()).toEqual([unsure, marker].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it('lets the records of a fetched batch share what their relevant test asked, and asks again for the next batch', async () => {
    const asked: string[] = [];
    // A relevant test that asks "the database" once per key and batch.
    const c = consumer(recordEffect, {
      handlers: [
        {
          topic,
          name: 'recordEffect',
          handle: recordEffect as never,
          relevant: (event: ConsumedEvent, batch: FetchedBatch) => {
            const { key } = (event as ConsumedEvent<typeof testingV1.ProbeSchema>).message;
            return batch.once(key, async () => {
              asked.push(key);
              return key !== 'skip';
            });
          },
        },
      ],
    });
    const first = Array.from({ length: 6 }, () => randomUUID());
    // Published before the consumer starts, in one request: one partition, one fetch.
    await publisher.publish(
      first.map((id, i) => probeRecord(id, probeBytes({ key: i % 2 ? 'skip' : 'k', sequence: i }))),
    );
    await c.start();
    await until('the first batch applied', async () => (await env.effects()).length >= 3);
    expect(asked.sort()).toEqual(['k', 'skip']);
    const later = randomUUID();
    await publisher.publish([probeRecord(later, probeBytes({ key: 'k', sequence: 9 }))]);
    await until('the later record applied', async () =>
      (await env.effects()).some((e) => e.event_id === later),
    );
    expect(asked.sort()).toEqual(['k', 'k', 'skip']);
    expect((await env.effects()).map((e) => e.event_id)).toEqual([
      ...first.filter((_, i) => i % 2 === 0),
      later,
    ]);
  });

  it('applies records that arrive together in one transaction each batch, each exactly once', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const record = (id: string, sequence: number) =>
      probeRecord(id, probeBytes({ key: 'k', sequence }));
    // Published before the consumer starts, with a redelivery inside the batch.
    await publisher.publish([...ids.map((id, i) => record(id, i)), record(ids[3], 3)]);
    let transactions = 0;
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
      this: PostgresQueryRunner,
      ...args
    ) {
      if (/^START TRANSACTION/.test(String(args[0]))) transactions++;
      return original.apply(this, args);
    });
    try {
      const c = new EventConsumer({
        kafka,
        groupId: `events-test-${randomUUID()}`,
        dataSource: env.app,
        publisher,
        handlers: [{ topic, name: 'recordEffect', handle: recordEffect as never, batchable: true }],
        fastConsumer: true,
        batchMax: 50,
      });
      stops.push(() => c.stop());
      await c.start();
      await until('every record applied', async () => (await env.effects()).length >= ids.length);
    } finally {
      spy.mockRestore();
    }
    const effects = await env.effects();
    expect(effects.map((e) => e.event_id).sort()).toEqual([...ids].sort());
    expect(effects.map((e) => Number(e.sequence))).toEqual(ids.map((_, i) => i)); // in order
    expect(transactions).toBeLessThan(ids.length / 2);
  });

  it('sets the tenant once for each run of one organization in a batch, and again after a handler set another', async () => {
    const orgB = randomUUID();
    const recordOf = (org: string, key: string, sequence: number) => ({
      ...probeRecord(randomUUID(), probeBytes({ key, sequence })),
      headers: { [Header.id]: randomUUID(), [Header.orgId]: org },
    });
    // The batch is applied in tenant order: orgA's three records together, orgB's two together.
    // The handler of the record keyed 'elsewhere' leaves orgB as the tenant, as a handler may.
    await publisher.publish([
      recordOf(orgA, 'k', 0),
      recordOf(orgB, 'k', 1),
      recordOf(orgA, 'elsewhere', 2),
      recordOf(orgA, 'k', 3),
      recordOf(orgB, 'k', 4),
    ]);
    const handle = async (
      event: ConsumedEvent<typeof testingV1.ProbeSchema>,
      tx: EntityManager,
    ) => {
      await recordEffect(event, tx);
      if (event.message.key === 'elsewhere') await setTenant(tx, orgB);
    };
    const log = recordSqlStatements();
    const warnings: string[] = [];
    try {
      const c = consumer(handle as never, {
        handlers: [{ topic, name: 'tenantEffect', handle: handle as never, batchable: true }],
        batchMax: 50,
        logger: { warn: (_msg, fields) => warnings.push(String(fields?.error)), error: () => {} },
      });
      await c.start();
      await until('every record applied', async () => (await env.effects()).length >= 5);
    } finally {
      log.stop();
    }
    // Every effect was written under its own organization (row-level security checks org_id).
    expect((await env.effects()).map((e) => [e.org_id, Number(e.sequence)])).toEqual(
      expect.arrayContaining([
        [orgA, 0],
        [orgB, 1],
        [orgA, 2],
        [orgA, 3],
        [orgB, 4],
      ]),
    );
    // In one transaction (no record failed under another tenant and went one by one) that set
    // the tenant three times: each run's first record, and orgA's record after 'elsewhere'.
    expect(warnings).toEqual([]);
    const applied = log
      .transactions()
      .filter((tx) => tx.some((s) => /INSERT INTO probe_effects/.test(s)));
    expect(applied).toHaveLength(1);
    const entered = applied[0].filter((s) => /set_config\('app\.org_id', \$1::text/.test(s));
    expect(entered).toHaveLength(3);
  });

  it('handles a failed batch again one record at a time: the others once, the bad one dead-lettered', async () => {
    const dlq = await tap(kafka, topic.dlq);
    stops.push(dlq.stop);
    const [g1, g2, bad, g3] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const record = (id: string, fail = false) => probeRecord(id, probeBytes({ key: 'k', fail }));
    await publisher.publish([record(g1), record(g2), record(bad, true), record(g3)]);
    const c = new EventConsumer({
      kafka,
      groupId: `events-test-${randomUUID()}`,
      dataSource: env.app,
      publisher,
      handlers: [{ topic, name: 'recordEffect', handle: recordEffect as never, batchable: true }],
      fastConsumer: true,
      retryInitialMs: 20,
      retryMaxMs: 50,
      maxAttempts: 3,
      batchMax: 50,
    });
    stops.push(() => c.stop());
    await c.start();
    await until('the bad record dead-lettered', () => dlq.withId(bad).length > 0);
    await until('the good records applied', async () => (await env.effects()).length >= 3);
    expect((await env.effects()).map((e) => e.event_id)).toEqual([g1, g2, g3]);
    expect(dlq.withId(bad)[0].headers).toMatchObject({ [Header.dlqReason]: 'retries-exhausted' });
  });

  it('gives up a batch that waits on a row lock past its lock timeout, and applies its records one by one', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    await publisher.publish(
      ids.map((id, i) => probeRecord(id, probeBytes({ key: 'k', sequence: i }))),
    );
    // Another session holds the lock every record's handler takes (as another batch would hold
    // a device's row); it lets go only once the batch has given up.
    const holder = new Client({ connectionString: env.db.appUrl });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(4242)');
    const warnings: string[] = [];
    const lockingEffect = async (
      event: ConsumedEvent<typeof testingV1.ProbeSchema>,
      tx: Parameters<typeof recordEffect>[1],
    ) => {
      await tx.query('SELECT pg_advisory_xact_lock(4242)');
      return recordEffect(event, tx);
    };
    try {
      const c = consumer(lockingEffect, {
        handlers: [
          { topic, name: 'lockingEffect', handle: lockingEffect as never, batchable: true },
        ],
        batchMax: 50,
        batchLockTimeoutMs: 50,
        logger: { warn: (_msg, fields) => warnings.push(String(fields?.error)), error: () => {} },
      });
      await c.start();
      await until('the batch gave up on the lock', () => warnings.length > 0);
      expect(warnings[0]).toMatch(/lock timeout/);
    } finally {
      await holder.end(); // the lock goes with the session
    }
    await until('every record applied', async () => (await env.effects()).length >= ids.length);
    expect((await env.effects()).map((e) => e.event_id)).toEqual(ids);
  });

  it('sends poison messages to the DLQ with the error, and goes on with the next one', async () => {
    const dlq = await tap(kafka, topic.dlq);
    stops.push(dlq.stop);
    const undecodable = randomUUID();
    const failing = randomUUID();
    const rejected = randomUUID();
    const good = randomUUID();
    const rejectingHandler = async (
      event: ConsumedEvent<typeof testingV1.ProbeSchema>,
      tx: Parameters<typeof recordEffect>[1],
    ) => {
      if (event.message.key === 'reject')
        throw new CommonException(CommonErrorCode.VALIDATION_FAILED, 'not acceptable');
      return recordEffect(event, tx);
    };
    let attemptsOfFailing = 0;
    await consumer(async (event, tx) => {
      if (event.id === failing) attemptsOfFailing++;
      return rejectingHandler(event, tx);
    }).start();
    await publisher.publish([
      probeRecord(undecodable, Buffer.from('not protobuf \xff\xff\xff')),
      probeRecord(failing, probeBytes({ key: 'k', fail: true })),
      probeRecord(rejected, probeBytes({ key: 'reject' })),
      probeRecord(good, probeBytes({ key: 'k', sequence: 2 })),
    ]);
    await until('the good message applied', async () =>
      (await env.effects()).some((e) => e.event_id === good),
    );
    await until('three dead letters', () => dlq.records.length >= 3);

    const [u] = dlq.withId(undecodable);
    expect(u.headers).toMatchObject({
      [Header.dlqReason]: 'undecodable',
      [Header.dlqTopic]: topic.name,
    });
    expect(u.value.toString('latin1')).toContain('not protobuf');
    const [f] = dlq.withId(failing);
    expect(f.headers).toMatchObject({
      [Header.dlqReason]: 'retries-exhausted',
      [Header.dlqAttempts]: '3',
    });
    expect(f.headers[Header.dlqError]).toContain('asked to fail');
    expect(attemptsOfFailing).toBe(3);
    const [r] = dlq.withId(rejected);
    expect(r.headers).toMatchObject({
      [Header.dlqReason]: 'permanent-failure',
      [Header.dlqAttempts]: '1',
    });
    expect((await env.effects()).map((e) => e.event_id)).toEqual([good]);
  });
});
