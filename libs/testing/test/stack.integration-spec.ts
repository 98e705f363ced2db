// Proves the local stack is made of real servers: PostgreSQL enforces the role split the
// services rely on, and the broker speaks Kafka well enough for consumer groups, idempotent
// producers and fault injection.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  brokerControl,
  createTestDatabase,
  startPrivateBroker,
  stackSetting,
  type TestDatabase,
} from '@switchboard/testing';
import { Topics } from '@switchboard/contracts';

const fastConsumer = {
  maxWaitTimeInMs: 100,
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 3000,
};

async function until<T>(
  what: string | (() => string),
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PostgreSQL of the local stack', () => {
  let db: TestDatabase;
  let owner: Client;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    owner = new Client({ connectionString: db.ownerUrl });
    app = new Client({ connectionString: db.appUrl });
    await owner.connect();
    await app.connect();
    await owner.query('CREATE TABLE secrets (id int PRIMARY KEY, value text)');
    await owner.query("INSERT INTO secrets VALUES (1, 'owner only')");
  });

  afterAll(async () => {
    await Promise.all([owner?.end(), app?.end()]);
    await db?.drop();
  });

  it('runs a real server', async () => {
    const { rows } = await owner.query<{ version: string }>('SELECT version()');
    expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
  });

  it('lets the owner role create tables in the service database', async () => {
    const { rows } = await owner.query(
      "SELECT tableowner FROM pg_tables WHERE tablename = 'secrets'",
    );
    expect(rows[0].tableowner).toBe('accounts_owner');
  });

  it('denies the application role what only the owner may do', async () => {
    await expect(app.query('SELECT * FROM secrets')).rejects.toThrow(/permission denied/);
    await expect(app.query('CREATE TABLE mine (id int)')).rejects.toThrow(/permission denied/);
    await expect(app.query('DROP TABLE secrets')).rejects.toThrow(/must be owner/);
    await expect(app.query('ALTER TABLE secrets ADD COLUMN x int')).rejects.toThrow(
      /must be owner/,
    );
    await expect(app.query('SET ROLE accounts_owner')).rejects.toThrow(/permission denied/);
  });

  it('gives the application role no way around row-level security', async () => {
    const { rows } = await app.query(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('keeps one service out of another service database', async () => {
    const url = new URL(stackSetting('MESSAGING_DATABASE_URL'));
    url.pathname = `/${db.name}`;
    const intruder = new Client({ connectionString: url.toString() });
    await expect(intruder.connect()).rejects.toThrow(/permission denied for database/);
    await intruder.end().catch(() => undefined);
  });
});

describe('the Kafka-protocol broker of the local stack', () => {
  const kafka = new Kafka({
    clientId: 'stack-test',
    brokers: stackSetting('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumers: Consumer[] = [];
  let producer: Producer;

  beforeAll(async () => {
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer?.disconnect();
  });

  it('splits the partitions of a topic between the two members of a consumer group', async () => {
    // A topic of this test's own, read from the beginning: nothing produced before the
    // members' positions are known can be skipped.
    const topic = `testing.stack-${randomUUID().slice(0, 8)}.v1`;
    await brokerControl(`topic ${topic} 4`);
    const groupId = `stack-test-${randomUUID()}`;
    const assignments = new Map<string, number[]>();
    const received = new Map<string, string>();
    for (const member of ['a', 'b']) {
      const consumer = kafka.consumer({ groupId, ...fastConsumer });
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(member, event.payload.memberAssignment[topic] ?? []);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.set(message.value!.toString(), member);
        },
      });
    }
    // Both members joined the same generation and share the 4 partitions.
    // A rebalance takes ~5 s on an idle machine; far longer on a loaded CI machine.
    await until(
      () =>
        `a rebalance that gives each member two partitions (now ${JSON.stringify([...assignments])})`,
      () =>
        assignments.get('a')?.length === 2 && assignments.get('b')?.length === 2 ? true : undefined,
      75_000,
    );
    expect([...assignments.get('a')!, ...assignments.get('b')!].sort()).toEqual([0, 1, 2, 3]);

    const runId = randomUUID();
    const values = [0, 1, 2, 3].map((partition) => `${runId}-${partition}`);
    await producer.send({
      topic,
      messages: values.map((value, partition) => ({ partition, value })),
    });
    await until('every message consumed', () =>
      values.every((v) => received.has(v)) ? true : undefined,
    );
    expect(new Set(values.map((v) => received.get(v)))).toEqual(new Set(['a', 'b']));
  }, 120_000);
});

describe('broker fault injection', () => {
  it('makes a producer fail while the broker is down and recover once it is back', async () => {
    const broker = await startPrivateBroker();
    const kafka = new Kafka({
      clientId: 'fault-test',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 500,
      requestTimeout: 1000,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const send = (value: string) =>
      producer.send({
        topic: Topics.testing.probe.name,
        acks: -1,
        timeout: 1000,
        messages: [{ value }],
      });
    try {
      await producer.connect();
      await expect(send('before')).resolves.toHaveLength(1);

      await broker.down();
      await expect(send('while down')).rejects.toThrow();

      await broker.up();
      const recovered = await until('the producer to recover', async () => {
        try {
          return await send('after');
        } catch {
          return undefined;
        }
      });
      expect(recovered[0].errorCode).toBe(0);
    } finally {
      await producer.disconnect().catch(() => undefined);
      await broker.stop();
    }
  });
});
