// Proves the local stack is made of real servers: PostgreSQL enforces the role split the
// services rely on, and the broker speaks Kafka well enough for consumer groups, idempotent
// producers and fault injection.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type ConsumerConfig,
  type ISocketFactory,
  type Producer,
} from 'kafkajs';
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

/** The Kafka API key of SyncGroup (the second field of every request, after its size). */
const SYNC_GROUP = 14;

/** Sockets whose SyncGroup requests reach the broker `delayMs` late, as on a loaded machine. */
function lateSyncGroup(delayMs: number): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (chunk: Buffer, encoding: BufferEncoding) => boolean;
    socket.write = ((chunk: Buffer, encoding: BufferEncoding) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === SYNC_GROUP) {
        setTimeout(() => write(chunk, encoding), delayMs);
        return true;
      }
      return write(chunk, encoding);
    }) as typeof socket.write;
    return socket;
  };
}

describe('the Kafka-protocol broker of the local stack', () => {
  const brokers = stackSetting('KAFKA_BROKERS').split(',');
  const kafka = new Kafka({ clientId: 'stack-test', brokers, logLevel: logLevel.NOTHING });
  const consumers: Consumer[] = [];
  let producer: Producer;

  /** A consumer group of a test's own, on a topic of its own with 4 partitions. */
  interface Group {
    topic: string;
    groupId: string;
    /** The partitions each member was given at its last join. */
    assignments: Map<string, number[]>;
    crashes: string[];
  }

  async function group(): Promise<Group> {
    const topic = `testing.stack-${randomUUID().slice(0, 8)}.v1`;
    await brokerControl(`topic ${topic} 4`);
    return { topic, groupId: `stack-test-${randomUUID()}`, assignments: new Map(), crashes: [] };
  }

  /** Starts a member of the group, reading its topic from the beginning. */
  async function member(
    of: Group,
    name: string,
    options: {
      client?: Kafka;
      config?: Partial<ConsumerConfig>;
      onMessage?: (value: string) => void;
    } = {},
  ): Promise<Consumer> {
    const consumer = (options.client ?? kafka).consumer({
      groupId: of.groupId,
      ...fastConsumer,
      ...options.config,
    });
    consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      of.assignments.set(name, event.payload.memberAssignment[of.topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      of.crashes.push(`${name}: ${event.payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: of.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => options.onMessage?.(message.value!.toString()),
    });
    return consumer;
  }

  /** Waits until each named member holds `perMember` partitions; a crash fails it at once. */
  const holding = (of: Group, names: string[], perMember: number) =>
    until(
      () =>
        `${names.join(' and ')} to hold ${perMember} partitions each (now ${JSON.stringify([...of.assignments])})`,
      () => {
        if (of.crashes.length) throw new Error(`a consumer crashed: ${of.crashes.join('; ')}`);
        return names.every((n) => of.assignments.get(n)?.length === perMember) ? true : undefined;
      },
    );

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
    const g = await group();
    const received = new Map<string, string>();
    for (const name of ['a', 'b'])
      await member(g, name, { onMessage: (value) => received.set(value, name) });
    // Both members joined the same generation and share the 4 partitions: the coordinator
    // elects a leader as soon as both have (re)joined, within a heartbeat interval.
    await holding(g, ['a', 'b'], 2);
    expect([...g.assignments.get('a')!, ...g.assignments.get('b')!].sort()).toEqual([0, 1, 2, 3]);

    const runId = randomUUID();
    const values = [0, 1, 2, 3].map((partition) => `${runId}-${partition}`);
    await producer.send({
      topic: g.topic,
      messages: values.map((value, partition) => ({ partition, value })),
    });
    await until('every message consumed', () =>
      values.every((v) => received.has(v)) ? true : undefined,
    );
    expect(new Set(values.map((v) => received.get(v)))).toEqual(new Set(['a', 'b']));
  });

  it("gives a member whose SyncGroup reaches the coordinator after the leader's its share", async () => {
    // The leader's SyncGroup carries every member's assignment; on a loaded machine it can
    // arrive first. The coordinator must still answer the follower's SyncGroup with its share
    // (it used to refuse it: the follower crashed and the leader kept every partition).
    const g = await group();
    await member(g, 'leader');
    await holding(g, ['leader'], 4);
    const slow = new Kafka({
      clientId: 'stack-test-late-sync',
      brokers,
      logLevel: logLevel.NOTHING,
      socketFactory: lateSyncGroup(500),
    });
    await member(g, 'follower', { client: slow });
    await holding(g, ['leader', 'follower'], 2);
  });

  it('stops a consumer without an error, and the member that stays gets its partitions at once', async () => {
    const g = await group();
    const logged: string[] = [];
    const leavingClient = new Kafka({
      clientId: 'stack-test-leaving',
      brokers,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, namespace, log }) => {
          if (level <= logLevel.ERROR)
            logged.push(`${namespace}: ${log.message} ${log.error ?? ''}`);
        },
    });
    await member(g, 'staying');
    // A session far longer than the waits here: only a LeaveGroup the broker honours frees the
    // leaving member's partitions in time.
    const leaving = await member(g, 'leaving', {
      client: leavingClient,
      config: { sessionTimeout: 60_000, rebalanceTimeout: 3000 },
    });
    await holding(g, ['staying', 'leaving'], 2);

    await leaving.disconnect();
    expect(logged).toEqual([]);
    await holding(g, ['staying'], 4);
  });
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
