// The send path's database round trips (issue 17), against real PostgreSQL and Kafka: every
// statement a sendMessage runs is counted (PostgresQueryRunner.query, which BEGIN and COMMIT go
// through too), so a change that adds a round trip to the hot path shows here. An organization
// without routes (the implicit device pool, which can never fail over) neither reads routes nor
// writes a route attempt, and still shows its attempt as before.
import { randomUUID } from 'node:crypto';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { accountsV1, devicesV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { send } from './support/messaging-api';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;

const org = randomUUID(); // no routes: the implicit device pool
let client: GraphQLClient;
const US = '+14155550123';

/**
 * Most statements one plain sendMessage's transaction may run, START TRANSACTION and COMMIT
 * included (issue 17 cut it from 15 to 11, then to 9: the message, its events and its timers in
 * one statement; then to 8: the quota projection read with the organization; then to 7: the
 * recipient's suppression state read there too): raise it only with a reason.
 */
const MAX_SEND_STATEMENTS = 7;

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  devices = new FakeService(stack.broker.brokers, 'devices');
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  await stack.sql(
    `CREATE POLICY test_owner_reads ON message_route_attempts TO CURRENT_USER USING (true)`,
  );
  client = app.gql(await stack.tokens.user(org));
  await devices.device(org, 'device-1', {
    case: 'registered',
    value: { status: devicesV1.DeviceStatus.ONLINE, device: { name: 'p', sims: [{ slot: 1 }] } },
  });
  const accounts = new FakeService(stack.broker.brokers, 'accounts');
  await accounts.organization(org, {
    slug: 'rt',
    name: 'Round trips',
    status: accountsV1.OrganizationStatus.ACTIVE,
    defaultCountry: 'US',
  });
  await accounts.stop();
  await eventually(
    'projections',
    async () => {
      const [{ d, o }] = await stack.sql<{ d: number; o: number }>(
        `SELECT (SELECT count(*)::int FROM devices) AS d, (SELECT count(*)::int FROM organizations) AS o`,
      );
      return d === 1 && o === 1;
    },
    45_000,
  );
}, 90_000);

afterAll(async () => {
  await dispatches?.stop();
  await devices?.stop();
  await app?.close();
  await stack?.stop();
});

/**
 * The SQL statements of the transaction that wrote a message while `work` ran (statements are
 * grouped by connection, so the scheduler's and the relay's polls stay out).
 */
async function sendStatementsOf(
  work: () => Promise<unknown>,
  marker = /\bINSERT INTO messages\b/,
): Promise<string[]> {
  const byRunner = new Map<PostgresQueryRunner, string[]>();
  const original = PostgresQueryRunner.prototype.query;
  const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
    this: PostgresQueryRunner,
    ...args
  ) {
    const seen = byRunner.get(this) ?? [];
    byRunner.set(this, seen);
    const sql = String(args[0]).replace(/\s+/g, ' ').trim();
    if (/^START TRANSACTION/.test(sql)) seen.length = 0;
    seen.push(sql);
    return original.apply(this, args);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  const sends = [...byRunner.values()].filter((s) => s.some((q) => marker.test(q)));
  expect(sends).toHaveLength(1);
  return sends[0];
}

describe('sendMessage round trips', () => {
  it('an organization without routes reads no routes and writes no route attempt', async () => {
    await send(client, { to: US, body: 'warm-up' }); // caches and prepared plans settle
    let id = '';
    const statements = await sendStatementsOf(async () => {
      id = (await send(client, { to: US, body: 'counted' })).id;
    });
    if (process.env.PRINT_STATEMENTS) console.log(statements.join('\n'));
    expect(statements.filter((s) => /^SELECT \* FROM routes/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /message_route_attempts/i.test(s))).toEqual([]);
    // The quota projection is read with the organization, not on its own.
    const reads = statements.filter((s) => /^SELECT .*\bFROM quota_states\b/s.test(s));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/\bJOIN organizations\b/);
    // And so is the recipient's suppression state (the number is in E.164).
    const suppression = statements.filter((s) => /\bFROM suppression_states\b/.test(s));
    expect(suppression).toHaveLength(1);
    expect(suppression[0]).toMatch(/\bJOIN organizations\b/);
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_route_attempts WHERE message_id = $1`,
      [id],
    );
    expect(n).toBe(0);
    expect(statements.length).toBeLessThanOrEqual(MAX_SEND_STATEMENTS);
  });

  it('a keyed send claims its key and sweeps expired keys in one statement', async () => {
    await stack.sql(
      `INSERT INTO idempotency_keys (org_id, key, fingerprint, message_id, expires_at)
       VALUES ($1, 'old-key', 'f', $2, now() - interval '1 hour')`,
      [org, randomUUID()],
    );
    const key = `key-${randomUUID()}`;
    const statements = await sendStatementsOf(() =>
      send(client, { to: US, body: 'keyed', idempotencyKey: key }),
    );
    expect(statements.filter((s) => /idempotency_keys/.test(s))).toHaveLength(1);
    expect(statements.length).toBeLessThanOrEqual(MAX_SEND_STATEMENTS + 1);
    const keys = await stack.sql<{ key: string }>(
      `SELECT key FROM idempotency_keys WHERE org_id = $1 ORDER BY key`,
      [org],
    );
    expect(keys.map((k) => k.key)).toEqual([key]);
    // The same request again: the first one's message, nothing swept that should stay.
    const again = await send(client, { to: US, body: 'keyed', idempotencyKey: key });
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE idempotency_key = $1`,
      [key],
    );
    expect(n).toBe(1);
    expect(again.idempotencyKey).toBe(key);
  });

  /**
   * A batch chunk's statements, counted: the organization once, and a constant number per chunk
   * whatever its size (issue 17 B1b, set-based; it was 9 an input + 5): begin, tenant,
   * organization, suppression states, quota, key claims, the messages with their outbox rows and
   * timers (one statement), quota take, rate limit, commit — and the holders of taken keys when
   * there are any.
   */
  const MAX_CHUNK_STATEMENTS = 11;

  async function batchStatements(
    size: number,
    keyOf = (i: number) => `batch-${randomUUID()}-${i}`,
    marker?: RegExp,
  ) {
    const inputs = Array.from({ length: size }, (_, i) => ({
      to: US,
      body: `batch ${i}`,
      idempotencyKey: keyOf(i),
    }));
    const statements = await sendStatementsOf(
      () =>
        client.expectData(
          `mutation M($inputs: [SendMessageInput!]!) { sendMessages(inputs: $inputs) { sent } }`,
          { inputs },
        ),
      marker,
    );
    return statements;
  }

  it('a batch chunk runs a constant number of statements, not a number an input', async () => {
    const small = await batchStatements(5);
    const large = await batchStatements(100);
    for (const statements of [small, large]) {
      expect(statements.filter((s) => /\borganizations\b/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /\borganization_policies\b/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /\bINSERT INTO messages\b/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /idempotency_keys/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /SAVEPOINT/.test(s))).toEqual([]);
      expect(statements.length).toBeLessThanOrEqual(MAX_CHUNK_STATEMENTS);
    }
    expect(large.length).toBe(small.length);
  });

  it('a chunk whose keys were taken reads their holders once', async () => {
    const prefix = `again-${randomUUID()}`;
    await batchStatements(10, (i) => `${prefix}-${i}`);
    const replayed = await batchStatements(
      10,
      (i) => `${prefix}-${i}`,
      /INSERT INTO idempotency_keys/,
    );
    expect(replayed.filter((s) => /idempotency_keys/.test(s))).toHaveLength(2);
    expect(replayed.filter((s) => /\bINSERT INTO messages\b/.test(s))).toEqual([]);
    expect(replayed.length).toBeLessThanOrEqual(MAX_CHUNK_STATEMENTS);
  });

  it('still shows the implicit pool as the message route and its one attempt', async () => {
    const message = await send(client, { to: US, body: 'as before' });
    expect(message).toMatchObject({ status: 'QUEUED', route: 'DEVICE', attempt: 1 });
    await dispatches.waitFor((e) => e.key === message.id && e.message.command.case === 'dispatch');
    const { message: read } = await client.expectData<{
      message: {
        route: string;
        attempts: {
          attempt: number;
          routeId: string | null;
          routeKind: string;
          outcome: string;
          startedAt: string;
          endedAt: string | null;
          errorCode: string | null;
        }[];
      };
    }>(
      `query A($id: ID!) { message(id: $id) { route attempts { attempt routeId routeKind outcome startedAt endedAt errorCode } } }`,
      { id: message.id },
    );
    expect(read).toEqual({
      route: 'DEVICE',
      attempts: [
        {
          attempt: 1,
          routeId: null,
          routeKind: 'DEVICE_POOL',
          outcome: 'PENDING',
          startedAt: message.queuedAt,
          endedAt: null,
          errorCode: null,
        },
      ],
    });
  });
});
