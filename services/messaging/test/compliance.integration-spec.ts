// Messaging's side of compliance against real PostgreSQL and Kafka: the projections of
// compliance.suppression.v1 and compliance.policy.v1, the pre-send policies that read them, and
// the send command topic (messaging.send.v1). The compliance service is played by the test
// (it publishes suppression states, policies and commands with the outbox's envelope).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { commonV1, complianceV1, devicesV1, messagingV1, Topics } from '@switchboard/contracts';
import { localTime } from '@switchboard/sms';
import { EventWatcher, ManualClock, type GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { get, send } from './support/messaging-api';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

type SuppressionInit = MessageInitShape<typeof complianceV1.SuppressionStateSchema>;
type PolicyInit = MessageInitShape<typeof complianceV1.OrganizationPolicySchema>;
type CommandInit = MessageInitShape<typeof messagingV1.SendMessageCommandSchema>;

let stack: MessagingStack;
let app: RunningApp;
let compliance: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;
let lifecycle: EventWatcher<typeof Topics.messaging.message.schema>;
const clock = new ManualClock();

const org = randomUUID();
let alice: GraphQLClient;

/** San Francisco: +1 415 is America/Los_Angeles in libphonenumber's data. */
const number = () => `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack, {}, { clock });
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  [dispatches, lifecycle] = await Promise.all([
    EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers),
    EventWatcher.start(Topics.messaging.message, stack.broker.brokers),
  ]);
  alice = app.gql(await stack.tokens.user(org));
  // Quiet hours off until a test turns them on: the wall clock of the machine must not matter.
  await handled(stack, [await policy({ version: 1n, quietHours: { enabled: false } })]);
}, 90_000);

afterAll(async () => {
  await dispatches?.stop();
  await lifecycle?.stop();
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

function suppression(to: string, state: Record<string, unknown>, orgId = org): Promise<string> {
  return compliance.publish(Topics.compliance.suppression, `${orgId}:${to}`, orgId, {
    orgId,
    phoneNumber: { e164: to },
    optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
    optedOutChangedAt: timestampFromDate(new Date()),
    updatedAt: timestampFromDate(new Date()),
    ...state,
  } as SuppressionInit);
}

function policy(over: Partial<PolicyInit>): Promise<string> {
  return compliance.policy(org, over);
}

function command(
  over: { idempotencyKey?: string } & Record<string, unknown>,
  eventId = randomUUID(),
): Promise<string> {
  const key = over.idempotencyKey ?? randomUUID();
  return compliance.publish(
    Topics.messaging.send,
    `${org}:${key}`,
    org,
    {
      orgId: org,
      idempotencyKey: key,
      body: 'Hello from a command',
      purpose: messagingV1.SendPurpose.TRANSACTIONAL,
      requestedBy: { type: commonV1.ActorType.SERVICE, id: 'compliance' },
      ...over,
    } as CommandInit,
    eventId,
  );
}

async function messagesWithKey(key: string) {
  return stack.sql<{ id: string; status: string; error_code: string | null; purpose: string }>(
    `SELECT id, status, error_code, purpose FROM messages WHERE org_id = $1 AND idempotency_key = $2`,
    [org, key],
  );
}

describe('the suppression projection', () => {
  it('a suppression record published on the topic → the next send is REJECTED OPTED_OUT; START lifts it', async () => {
    const to = number();
    expect((await send(alice, { to, body: 'before' })).status).toBe('QUEUED');

    await handled(stack, [await suppression(to, { optedOut: true, version: 1n })]);
    const refused = await send(alice, { to, body: 'after STOP' });
    expect(refused).toMatchObject({
      status: 'REJECTED',
      error: { code: 'OPTED_OUT', message: 'The recipient opted out of messages' },
    });
    const rejected = await lifecycle.waitFor(
      (e) => e.key === refused.id && e.message.kind === messagingV1.MessageEventKind.REJECTED,
    );
    expect(rejected.message.error?.code).toBe('OPTED_OUT');
    expect(dispatches.events.some((e) => e.key === refused.id)).toBe(false);
    // Written as a national number (normalized with the organization's country), the same.
    const national = await send(alice, { to: to.slice(2), body: 'after STOP, national' });
    expect(national).toMatchObject({ status: 'REJECTED', error: { code: 'OPTED_OUT' } });

    await handled(stack, [await suppression(to, { optedOut: false, version: 2n })]);
    expect((await send(alice, { to, body: 'after START' })).status).toBe('QUEUED');
  });

  it('keeps a record only when its version is higher: an older state arriving late changes nothing', async () => {
    const to = number();
    await handled(stack, [
      await suppression(to, { optedOut: false, consent: true, version: 5n }),
      await suppression(to, { optedOut: true, version: 4n }), // late and stale
      await suppression(to, { optedOut: true, version: 5n }), // same version: not newer
    ]);
    const [row] = await stack.sql<{ opted_out: boolean; consent: boolean; version: string }>(
      `SELECT opted_out, consent, version FROM suppression_states WHERE org_id = $1 AND phone_number = $2`,
      [org, to],
    );
    expect(row).toEqual({ opted_out: false, consent: true, version: '5' });
    expect((await send(alice, { to, body: 'still allowed' })).status).toBe('QUEUED');
  });

  it('DND on the number refuses with DND', async () => {
    const to = number();
    await handled(stack, [await suppression(to, { dnd: true, version: 1n })]);
    expect((await send(alice, { to, body: 'dnd' })).error?.code).toBe('DND');
  });

  it('a state whose tenant does not match its envelope is dead-lettered, not applied', async () => {
    const to = number();
    const other = randomUUID();
    const id = await compliance.publish(Topics.compliance.suppression, `${org}:${to}`, org, {
      orgId: other,
      phoneNumber: { e164: to },
      optedOut: true,
      version: 1n,
    });
    const dlq = await EventWatcher.start(
      { ...Topics.compliance.suppression, name: `${Topics.compliance.suppression.name}.dlq` },
      stack.broker.brokers,
    );
    try {
      await dlq.waitFor((e) => e.headers.ce_id === id, 30_000);
    } finally {
      await dlq.stop();
    }
    expect((await send(alice, { to, body: 'not suppressed' })).status).toBe('QUEUED');
  });
});

describe('the send command (messaging.send.v1)', () => {
  it('the same command twice → one message, whose events carry the idempotency key and purpose', async () => {
    const key = `stop-reply-${randomUUID()}`;
    const to = number();
    const ids = [
      await command({ idempotencyKey: key, to }),
      await command({ idempotencyKey: key, to }), // a retry of the producer: another event id
    ];
    await handled(stack, ids);
    const rows = await messagesWithKey(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'QUEUED', purpose: 'TRANSACTIONAL' });
    const queued = await lifecycle.waitFor((e) => e.key === rows[0].id);
    expect(queued.message).toMatchObject({
      idempotencyKey: key,
      purpose: messagingV1.SendPurpose.TRANSACTIONAL,
    });
    await dispatches.waitFor((e) => e.key === rows[0].id);
  });

  it("a ghl-sync command's GHL message id is kept on the message, its events and GraphQL", async () => {
    const key = `ghl:${randomUUID()}`;
    await handled(stack, [
      await command({ idempotencyKey: key, to: number(), ghlMessageId: key.slice(4) }),
    ]);
    const [row] = await messagesWithKey(key);
    const queued = await lifecycle.waitFor((e) => e.key === row.id);
    expect(queued.message.ghlMessageId).toBe(key.slice(4));
    const data = await alice.expectData<{ message: { ghlMessageId: string } }>(
      `query($id: ID!) { message(id: $id) { ghlMessageId } }`,
      { id: row.id },
    );
    expect(data.message.ghlMessageId).toBe(key.slice(4));
  });

  it('an invalid number becomes a REJECTED INVALID_NUMBER message (and its event), not an exception', async () => {
    const key = `bad-${randomUUID()}`;
    await handled(stack, [await command({ idempotencyKey: key, to: '12' })]);
    const [row] = await messagesWithKey(key);
    expect(row).toMatchObject({ status: 'REJECTED', error_code: 'INVALID_NUMBER' });
    const event = await lifecycle.waitFor(
      (e) => e.key === row.id && e.message.kind === messagingV1.MessageEventKind.REJECTED,
    );
    expect(event.message.error?.code).toBe('INVALID_NUMBER');
    expect(event.message.idempotencyKey).toBe(key);
    // An empty body likewise.
    const empty = `empty-${randomUUID()}`;
    await handled(stack, [await command({ idempotencyKey: empty, to: number(), body: '' })]);
    expect((await messagesWithKey(empty))[0]).toMatchObject({ error_code: 'BODY_REQUIRED' });
  });

  it('a COMPLIANCE_REPLY to an opted-out number goes out; a campaign message to it does not', async () => {
    const to = number();
    await handled(stack, [await suppression(to, { optedOut: true, version: 1n })]);
    const reply = `reply-${randomUUID()}`;
    const campaign = `campaign-${randomUUID()}`;
    await handled(stack, [
      await command({
        idempotencyKey: reply,
        to,
        body: 'You are unsubscribed. Reply START to resubscribe.',
        purpose: messagingV1.SendPurpose.COMPLIANCE_REPLY,
      }),
      await command({
        idempotencyKey: campaign,
        to,
        purpose: messagingV1.SendPurpose.CAMPAIGN,
      }),
    ]);
    const [sent] = await messagesWithKey(reply);
    expect(sent).toMatchObject({ status: 'QUEUED', purpose: 'COMPLIANCE_REPLY' });
    const dispatch = await dispatches.waitFor((e) => e.key === sent.id);
    expect(dispatch.message.command.case).toBe('dispatch');
    expect((dispatch.message.command.value as devicesV1.DispatchMessage).priority).toBe(90);
    expect((await messagesWithKey(campaign))[0]).toMatchObject({
      status: 'REJECTED',
      error_code: 'OPTED_OUT',
      purpose: 'CAMPAIGN',
    });
  });
});

describe('quiet hours', () => {
  afterEach(async () => {
    clock.reset();
    await handled(stack, [await policy({ version: 100n, quietHours: { enabled: false } })]);
  });

  it('holds a campaign message until the window opens (a manual clock), then dispatches it', async () => {
    await handled(stack, [
      await policy({
        version: 10n,
        quietHours: {
          enabled: true,
          windowStartMinute: 480,
          windowEndMinute: 1260,
          transactionalAction: complianceV1.QuietHoursAction.REFUSE,
        },
      }),
    ]);
    // The next 07:59 in San Francisco, a minute before the window opens.
    let at = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    while (localTime('America/Los_Angeles', at).minute !== 479) {
      at = new Date(at.getTime() + 60_000);
    }
    clock.set(at);
    const to = number();
    const key = `held-${randomUUID()}`;
    await handled(stack, [
      await command({ idempotencyKey: key, to, purpose: messagingV1.SendPurpose.CAMPAIGN }),
    ]);
    const [held] = await messagesWithKey(key);
    const view = await get(alice, held.id);
    expect(view).toMatchObject({
      status: 'SCHEDULED',
      scheduledAt: new Date(at.getTime() + 60_000).toISOString(),
    });
    // A transactional message is refused, as this organization chose.
    expect((await send(alice, { to, body: 'OTP 123456' })).error?.code).toBe('QUIET_HOURS');
    expect(dispatches.events.some((e) => e.key === held.id)).toBe(false);

    clock.advance(61_000); // 08:00:01 in San Francisco
    const dispatch = await dispatches.waitFor((e) => e.key === held.id, 30_000);
    expect(dispatch.message.command.case).toBe('dispatch');
    // A campaign message waits behind transactional ones in the device queues.
    expect((dispatch.message.command.value as devicesV1.DispatchMessage).priority).toBe(10);
    expect((await get(alice, held.id)).attempt).toBe(1);
  });
});

describe('rebuilding the projections', () => {
  it('a fresh consumer group reads both compacted topics from offset 0 into emptied tables', async () => {
    const to = number();
    await handled(stack, [await suppression(to, { optedOut: true, version: 7n })]);
    const count = async () =>
      (
        await stack.sql<{ s: number; p: number }>(
          `SELECT (SELECT count(*)::int FROM suppression_states WHERE org_id = $1) AS s,
                  (SELECT count(*)::int FROM organization_policies WHERE org_id = $1) AS p`,
          [org],
        )
      )[0];
    const before = await count();
    const messages = (await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM messages`))[0]
      .n;
    await app.close();
    await stack.sql(`DELETE FROM suppression_states`);
    await stack.sql(`DELETE FROM organization_policies`);
    app = await startApp(
      stack,
      { KAFKA_GROUP_ID: `messaging-rebuild-${randomUUID().slice(0, 8)}` },
      { clock },
    );
    alice = app.gql(await stack.tokens.user(org));
    await eventually(
      'projections rebuilt',
      async () => {
        const now = await count();
        return now.s === before.s && now.p === before.p;
      },
      60_000,
    );
    expect((await send(alice, { to, body: 'after the rebuild' })).error?.code).toBe('OPTED_OUT');
    // The send commands were read again too, and found their messages by idempotency key.
    const after = (await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM messages`))[0].n;
    expect(after).toBe(messages + 1);
  });
});
