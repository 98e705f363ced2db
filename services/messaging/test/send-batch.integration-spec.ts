// sendMessages (the batch form of sendMessage) against real PostgreSQL and Kafka: per-input
// results and typed errors, per-input idempotency under concurrency, the pre-send policies,
// tenant isolation and the batch's size limit.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { complianceV1, devicesV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { MESSAGE_FIELDS, type MessageView } from './support/messaging-api';
import {
  caughtUp,
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

type SuppressionInit = MessageInitShape<typeof complianceV1.SuppressionStateSchema>;

interface Result {
  index: number;
  message: MessageView | null;
  error: { code: string; message: string; index: number } | null;
}
interface Payload {
  results: Result[];
  sent: number;
  failed: number;
}

const SEND_MANY = `mutation SendMany($inputs: [SendMessageInput!]!) {
  sendMessages(inputs: $inputs) { sent failed results { index message { ${MESSAGE_FIELDS} } error { code message index } } }
}`;

let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let compliance: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;

const orgA = randomUUID();
const orgB = randomUUID();
let alice: GraphQLClient;
let bob: GraphQLClient;

const TO = '+14155550123';
const number = (i: number) => `+1415555${String(1000 + i).padStart(4, '0')}`;

beforeAll(async () => {
  stack = await startStack({ MESSAGE_SEND_BURST: '100000', MESSAGE_SEND_RATE_PER_SECOND: '10000' });
  app = await startApp(stack);
  devices = new FakeService(stack.broker.brokers, 'devices');
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  alice = app.gql(await stack.tokens.user(orgA));
  bob = app.gql(await stack.tokens.user(orgB));
  await devices.device(orgA, 'device-a', {
    case: 'registered',
    value: {
      status: devicesV1.DeviceStatus.ONLINE,
      device: { name: 'device-a', sims: [{ slot: 1 }] },
    },
  });
  await eventually(
    'device projection',
    async () =>
      (await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM devices`))[0].n === 1,
    45_000,
  );
}, 90_000);

afterAll(async () => {
  await dispatches?.stop();
  await devices?.stop();
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

async function sendMany(client: GraphQLClient, inputs: object[]): Promise<Payload> {
  return (await client.expectData<{ sendMessages: Payload }>(SEND_MANY, { inputs })).sendMessages;
}

async function countMessages(org: string): Promise<number> {
  const rows = await stack.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE org_id = $1`,
    [org],
  );
  return rows[0].n;
}

describe('sendMessages', () => {
  it('a mix of good and bad inputs: each its own result, in order; one bad number fails only itself', async () => {
    const before = await countMessages(orgA);
    const inputs = [
      { to: TO, body: 'first', idempotencyKey: randomUUID() },
      { to: '12345', body: 'bad number', idempotencyKey: randomUUID() },
      { to: TO, body: '   ' },
      { to: TO, body: 'x', deviceId: 'device-a', simNumber: 3 },
      { to: TO, body: 'x', metadata: { n: 1 } },
      { to: TO, body: 'x', idempotencyKey: 'has spaces' },
      { to: '(415) 555-0124', body: 'national', deviceId: 'device-a' },
      { to: TO, body: 'later', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() },
    ];
    const payload = await sendMany(alice, inputs);
    expect(payload.results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    expect(payload.results.map((r) => r.error?.code ?? r.message?.status)).toEqual([
      'QUEUED',
      'INVALID_NUMBER',
      'BODY_REQUIRED',
      'INVALID_SIM',
      'INVALID_METADATA',
      'INVALID_IDEMPOTENCY_KEY',
      'QUEUED',
      'SCHEDULED',
    ]);
    expect(payload.results[1].error).toMatchObject({ index: 1, message: expect.any(String) });
    expect(payload.results[1].message).toBeNull();
    expect(payload.results[6].message).toMatchObject({ to: '+14155550124' });
    expect(payload).toMatchObject({ sent: 3, failed: 5 });
    expect(await countMessages(orgA)).toBe(before + 3);

    // The queued ones are dispatched (same transaction, outbox); nothing for the refused ones.
    const queued = [payload.results[0].message!.id, payload.results[6].message!.id];
    for (const id of queued) {
      await dispatches.waitFor((e) => e.key === id && e.message.command.case === 'dispatch');
    }
    await caughtUp(stack, dispatches, Topics.devices.dispatch.name, queued);
    const stored = new Set(
      (await stack.sql<{ id: string }>(`SELECT id FROM messages`)).map((row) => row.id),
    );
    expect(dispatches.events.filter((e) => !stored.has(e.key))).toEqual([]);
  });

  it('per-input idempotency: concurrent overlapping batches create each message exactly once', async () => {
    const keys = Array.from({ length: 30 }, () => randomUUID());
    const inputOf = (key: string, i: number) => ({
      to: number(i),
      body: `once ${i}`,
      idempotencyKey: key,
    });
    const inputs = keys.map(inputOf);
    const before = await countMessages(orgA);
    // Eight concurrent batches: the same inputs, half of them in reverse order (lock order differs).
    const payloads = await Promise.all(
      Array.from({ length: 8 }, (_, n) => sendMany(alice, n % 2 ? [...inputs].reverse() : inputs)),
    );
    expect(await countMessages(orgA)).toBe(before + keys.length);
    const idOf = new Map<string, string>();
    for (const payload of payloads) {
      expect(payload.failed).toBe(0);
      for (const result of payload.results) {
        const key = result.message!.idempotencyKey!;
        expect(idOf.get(key) ?? result.message!.id).toBe(result.message!.id);
        idOf.set(key, result.message!.id);
      }
    }
    expect(idOf.size).toBe(keys.length);

    // A retry gets the same messages; a key reused with other parameters is refused, alone.
    const retry = await sendMany(alice, [
      inputs[0],
      { ...inputs[1], body: 'something else' },
      { to: TO, body: 'new one' },
    ]);
    expect(retry.results[0].message!.id).toBe(idOf.get(keys[0]));
    expect(retry.results[1].error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(retry.results[2].message?.status).toBe('QUEUED');
    expect(await countMessages(orgA)).toBe(before + keys.length + 1);

    // The same key twice in one batch: one message.
    const key = randomUUID();
    const twice = await sendMany(alice, [
      { to: TO, body: 'dup', idempotencyKey: key },
      { to: TO, body: 'dup', idempotencyKey: key },
    ]);
    expect(twice.results[1].message!.id).toBe(twice.results[0].message!.id);
  });

  it('runs the pre-send policies per input: an opted-out number is REJECTED, the others go', async () => {
    const optedOut = number(900);
    await handled(stack, [
      await compliance.publish(Topics.compliance.suppression, `${orgA}:${optedOut}`, orgA, {
        orgId: orgA,
        phoneNumber: { e164: optedOut },
        optedOut: true,
        version: 1n,
        optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
        optedOutChangedAt: timestampFromDate(new Date()),
        updatedAt: timestampFromDate(new Date()),
      } as SuppressionInit),
    ]);
    const payload = await sendMany(alice, [
      { to: number(901), body: 'hi' },
      { to: optedOut, body: 'hi' },
      { to: number(902), body: 'hi' },
    ]);
    expect(payload.results.map((r) => [r.message?.status, r.message?.error?.code ?? null])).toEqual(
      [
        ['QUEUED', null],
        ['REJECTED', 'OPTED_OUT'],
        ['QUEUED', null],
      ],
    );
  });

  it('sends 1,000 inputs in one call (several transactions); refuses 0 and 1,001', async () => {
    const before = await countMessages(orgA);
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      to: number(i % 500),
      body: `bulk ${i}`,
      idempotencyKey: randomUUID(),
    }));
    const payload = await sendMany(alice, inputs);
    expect(payload).toMatchObject({ sent: 1000, failed: 0 });
    expect(new Set(payload.results.map((r) => r.message!.id)).size).toBe(1000);
    expect(await countMessages(orgA)).toBe(before + 1000);
    expect(await alice.errorCodes(SEND_MANY, { inputs: [] })).toEqual(['INVALID_BATCH_SIZE']);
    expect(await alice.errorCodes(SEND_MANY, { inputs: [...inputs, inputs[0]] })).toEqual([
      'INVALID_BATCH_SIZE',
    ]);
    expect(await countMessages(orgA)).toBe(before + 1000);
  }, 180_000);

  it('tenancy and access: keys and devices are per organization; scopes are checked', async () => {
    const key = randomUUID();
    const [mine] = (await sendMany(alice, [{ to: TO, body: 'a', idempotencyKey: key }])).results;
    const theirs = await sendMany(bob, [
      { to: TO, body: 'a', idempotencyKey: key },
      { to: TO, body: 'b', deviceId: 'device-a' },
    ]);
    expect(theirs.results[0].message!.id).not.toBe(mine.message!.id);
    expect(theirs.results[1].error?.code).toBe('UNKNOWN_DEVICE');
    expect(
      await bob.errorCodes(`query($id: ID!) { message(id: $id) { id } }`, { id: mine.message!.id }),
    ).toEqual(['MESSAGE_NOT_FOUND']);

    const inputs = [{ to: TO, body: 'x' }];
    expect(await app.gql().errorCodes(SEND_MANY, { inputs })).toEqual(['UNAUTHENTICATED']);
    const reader = app.gql(await stack.tokens.apiToken(orgA, ['messages:read']));
    expect(await reader.errorCodes(SEND_MANY, { inputs })).toEqual(['FORBIDDEN']);
    const phone = app.gql(await stack.tokens.device(orgA));
    expect(await phone.errorCodes(SEND_MANY, { inputs })).toEqual(['FORBIDDEN']);
    const sender = app.gql(await stack.tokens.apiToken(orgA, ['messages:send']));
    expect((await sendMany(sender, inputs)).sent).toBe(1);
  });
});
