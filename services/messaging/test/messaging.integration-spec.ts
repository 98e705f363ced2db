// The messaging core against real PostgreSQL and Kafka: a messaging app in this process, a
// broker of this file's own, and the devices service played by the test (it reads dispatch
// commands and publishes message states, device and inbound events as devices would).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, devicesV1, messagingV1, Topics } from '@switchboard/contracts';
import { EventWatcher, scrapeMetrics, type GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { CANCEL, get, send, SEND, type MessageView } from './support/messaging-api';
import {
  caughtUp,
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const { MessageState } = devicesV1;

let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let accounts: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;
let lifecycle: EventWatcher<typeof Topics.messaging.message.schema>;

const orgA = randomUUID();
const orgB = randomUUID();
let alice: GraphQLClient; // a USER of org A
let bob: GraphQLClient; // a USER of org B

const TO = '+14155550123';

beforeAll(async () => {
  stack = await startStack({ MESSAGE_MAX_DISPATCH_ATTEMPTS: '3' });
  app = await startApp(stack);
  devices = new FakeService(stack.broker.brokers, 'devices');
  accounts = new FakeService(stack.broker.brokers, 'accounts');
  [dispatches, lifecycle] = await Promise.all([
    EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers),
    EventWatcher.start(Topics.messaging.message, stack.broker.brokers),
  ]);
  alice = app.gql(await stack.tokens.user(orgA));
  bob = app.gql(await stack.tokens.user(orgB));
  // Devices of both organizations, known through devices.device.v1.
  for (const [org, id] of [
    [orgA, 'device-a'],
    [orgA, 'device-b'],
    [orgB, 'device-of-b'],
  ]) {
    await devices.device(org, id, {
      case: 'registered',
      value: {
        status: devicesV1.DeviceStatus.ONLINE,
        device: { name: id, sims: [{ slot: 1, maskedNumber: '+1******9999' }, { slot: 2 }] },
      },
    });
  }
  // Generous: joining the consumer group is slow on a busy machine.
  await eventually(
    'device projections',
    async () => {
      const rows = await stack.sql(`SELECT count(*)::int AS n FROM devices`);
      return (rows[0] as { n: number }).n === 3;
    },
    45_000,
  );
  // The consumer group is up once a report is applied: warm up with one message.
  const warm = await send(alice, { to: TO, body: 'warm-up' });
  await devices.state(orgA, warm.id, MessageState.DISPATCHED);
  await eventually(
    'warm-up dispatched',
    async () => (await get(alice, warm.id)).status === 'DISPATCHED',
    45_000,
  );
}, 90_000);

afterAll(async () => {
  await dispatches?.stop();
  await lifecycle?.stop();
  await devices?.stop();
  await accounts?.stop();
  await app?.close();
  await stack?.stop();
});

const dispatchOf = (id: string, attempt = 1) =>
  dispatches.waitFor(
    (e) =>
      e.key === id &&
      e.message.command.case === 'dispatch' &&
      e.message.command.value.attempt === attempt,
    30_000,
  );

const eventOf = (id: string, kind: messagingV1.MessageEventKind) =>
  lifecycle.waitFor((e) => e.key === id && e.message.kind === kind, 30_000);

/** Publishes a report and waits until the message shows `status` by query. */
async function report(
  id: string,
  state: devicesV1.MessageState,
  status: string,
  extra: Parameters<FakeService['state']>[3] = {},
): Promise<{ message: MessageView }> {
  await devices.state(orgA, id, state, extra);
  const message = await eventually(`${status} of ${id}`, async () => {
    const m = await get(alice, id);
    return m.status === status && m;
  });
  return { message };
}

async function countMessages(org: string): Promise<number> {
  const rows = await stack.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE org_id = $1`,
    [org],
  );
  return rows[0].n;
}

describe('send → dispatch → DISPATCHED → SENT → DELIVERED', () => {
  it('replies QUEUED at once with exact segments, and dispatches in the same transaction', async () => {
    const message = await send(alice, {
      to: '(415) 555-0123',
      body: 'Your code is 123456 — valid for 5 minutes',
      metadata: { order: '42' },
    });
    expect(message).toMatchObject({
      status: 'QUEUED',
      direction: 'OUTBOUND',
      to: TO,
      encoding: 'UCS2', // the em dash
      segments: 1,
      attempt: 1,
      metadata: { order: '42' },
      error: null,
    });
    expect(message.queuedAt).not.toBeNull();
    expect(new Date(message.validUntil!).getTime() - new Date(message.createdAt).getTime()).toBe(
      86_400_000,
    );

    const command = await dispatchOf(message.id);
    expect(command.headers.ce_orgid).toBe(orgA);
    expect(command.message).toMatchObject({ messageId: message.id, orgId: orgA });
    const dispatch = command.message.command.value as devicesV1.DispatchMessage;
    expect(dispatch).toMatchObject({
      to: { e164: TO },
      body: 'Your code is 123456 — valid for 5 minutes',
      segments: 1,
      attempt: 1,
      deviceId: '',
      simNumber: 0,
      excludedDeviceIds: [],
      // sendMessage is transactional: ahead of campaign traffic in the device queues.
      priority: 50,
    });
    expect(dispatch.validUntil).toBeDefined();

    const queued = await eventOf(message.id, messagingV1.MessageEventKind.QUEUED);
    expect(queued.message).toMatchObject({
      status: messagingV1.MessageStatus.QUEUED,
      sequence: 1,
      body: '', // outbound events never carry the body
      metadata: { order: '42' },
      to: { e164: TO },
    });

    await report(message.id, MessageState.DISPATCHED, 'DISPATCHED');
    await report(message.id, MessageState.SENT, 'SENT');
    const delivered = await report(message.id, MessageState.DELIVERED, 'DELIVERED');
    expect(delivered.message).toMatchObject({
      deviceId: 'device-a',
      simNumber: 1,
      route: 'DEVICE',
    });
    for (const at of ['dispatchedAt', 'sentAt', 'deliveredAt'] as const) {
      expect(delivered.message[at]).not.toBeNull();
    }
    expect(delivered.message.conversationId).not.toBeNull();

    const events = await Promise.all(
      [
        messagingV1.MessageEventKind.DISPATCHED,
        messagingV1.MessageEventKind.SENT,
        messagingV1.MessageEventKind.DELIVERED,
      ].map((kind) => eventOf(message.id, kind)),
    );
    expect(events.map((e) => e.message.sequence)).toEqual([2, 3, 4]);
    expect(events.map((e) => e.message.deviceId)).toEqual(['device-a', 'device-a', 'device-a']);
    expect(events[2].message.status).toBe(messagingV1.MessageStatus.DELIVERED);
  });

  it('absorbs late and duplicate reports: status never moves back', async () => {
    const message = await send(alice, { to: TO, body: 'late reports' });
    await dispatchOf(message.id);
    await report(message.id, MessageState.DELIVERED, 'DELIVERED');
    const lateSent = await devices.state(orgA, message.id, MessageState.SENT);
    const duplicate = await devices.state(orgA, message.id, MessageState.DELIVERED);
    const contradiction = await devices.state(orgA, message.id, MessageState.FAILED, {
      errorCode: 'GENERIC_FAILURE',
    });
    expect(lateSent).toBeTruthy();
    const after = await eventually('late SENT recorded', async () => {
      const m = await get(alice, message.id);
      return m.sentAt !== null && m;
    });
    expect(after.status).toBe('DELIVERED');
    expect(after.error).toBeNull();
    const late = await eventOf(message.id, messagingV1.MessageEventKind.SENT);
    expect(late.message.status).toBe(messagingV1.MessageStatus.DELIVERED);
    // Every report applied, and every event messaging wrote for the message seen: no fixed wait.
    await handled(stack, [lateSent, duplicate, contradiction]);
    await caughtUp(stack, lifecycle, Topics.messaging.message.name, [message.id]);
    const kinds = lifecycle.events.filter((e) => e.key === message.id).map((e) => e.message.kind);
    expect(kinds.filter((k) => k === messagingV1.MessageEventKind.DELIVERED)).toHaveLength(1);
    expect(kinds).not.toContain(messagingV1.MessageEventKind.FAILED);
  });
});

describe('re-dispatch', () => {
  it('a failing device → re-dispatched to another device → delivered', async () => {
    const message = await send(alice, { to: TO, body: 'failover', deviceId: 'device-a' });
    expect((await dispatchOf(message.id)).message.command.value).toMatchObject({
      deviceId: 'device-a',
    });
    await devices.state(orgA, message.id, MessageState.DISPATCHED);
    await devices.state(orgA, message.id, MessageState.FAILED, {
      errorCode: 'NO_SERVICE',
      errorMessage: 'RESULT_ERROR_NO_SERVICE',
    });
    const second = await dispatchOf(message.id, 2);
    expect(second.message.command.value).toMatchObject({
      attempt: 2,
      deviceId: '',
      excludedDeviceIds: ['device-a'],
    });
    expect((await get(alice, message.id)).status).toBe('DISPATCHED');
    const extra = { deviceId: 'device-b', attempt: 2, simNumber: 2 };
    await report(message.id, MessageState.DISPATCHED, 'DISPATCHED', extra);
    await report(message.id, MessageState.SENT, 'SENT', extra);
    const done = await report(message.id, MessageState.DELIVERED, 'DELIVERED', extra);
    expect(done.message).toMatchObject({
      deviceId: 'device-b',
      simNumber: 2,
      attempt: 2,
      error: null,
    });
  });

  it('RELEASED on every attempt → FAILED with the last error after N attempts', async () => {
    const message = await send(alice, { to: TO, body: 'nobody keeps me' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await dispatchOf(message.id, attempt);
      await devices.state(orgA, message.id, MessageState.DISPATCHED, {
        attempt,
        deviceId: `device-${attempt}`,
      });
      await devices.state(orgA, message.id, MessageState.RELEASED, {
        attempt,
        deviceId: `device-${attempt}`,
        reason: 'device offline',
      });
    }
    const failed = await eventually('failed', async () => {
      const m = await get(alice, message.id);
      return m.status === 'FAILED' && m;
    });
    expect(failed.error).toMatchObject({ code: 'DEVICE_OFFLINE', rawMessage: 'device offline' });
    expect(failed.attempt).toBe(3);
    const stale = dispatches.events.filter(
      (e) => e.key === message.id && e.message.command.case === 'dispatch',
    );
    expect(stale).toHaveLength(3);
  });

  it('ignores reports of an older attempt', async () => {
    const message = await send(alice, { to: TO, body: 'stale' });
    await dispatchOf(message.id);
    await devices.state(orgA, message.id, MessageState.RELEASED);
    await dispatchOf(message.id, 2);
    await devices.state(orgA, message.id, MessageState.SENT, { attempt: 1 }); // stale
    await report(message.id, MessageState.DISPATCHED, 'DISPATCHED', {
      attempt: 2,
      deviceId: 'device-b',
    });
    expect((await get(alice, message.id)).sentAt).toBeNull();
  });
});

describe('validity', () => {
  it('no device takes it → waits → EXPIRED at validUntil, and devices are told to cancel', async () => {
    const validUntil = new Date(Date.now() + 1500);
    const message = await send(alice, {
      to: TO,
      body: 'expires',
      validUntil: validUntil.toISOString(),
    });
    await dispatchOf(message.id);
    // It waits until validUntil: QUEUED when read before then, and expired no earlier (the
    // service's own expiredAt, so a slow machine cannot make this pass or fail by chance).
    const waiting = await get(alice, message.id);
    if (Date.now() < validUntil.getTime()) expect(waiting.status).toBe('QUEUED');
    const expired = await eventually('expired', async () => {
      const m = await get(alice, message.id);
      return m.status === 'EXPIRED' && m;
    });
    // Expired at its time, never before (how soon after is a latency figure: bench/, not here;
    // `eventually` bounds it).
    expect(new Date(expired.expiredAt!).getTime()).toBeGreaterThanOrEqual(validUntil.getTime());
    expect(expired.error).toMatchObject({ code: 'EXPIRED' });
    const cancel = await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'cancel',
    );
    expect(cancel.message.command.value).toMatchObject({ reason: 'expired' });
    await eventOf(message.id, messagingV1.MessageEventKind.EXPIRED);
  });
});

describe('messageStats (the console’s charts)', () => {
  const STATS = `query S($days: Int) { messageStats(days: $days) { day delivered sent pending failed total deliveryRate } }`;
  interface DayView {
    day: string;
    delivered: number;
    sent: number;
    pending: number;
    failed: number;
    total: number;
    deliveryRate: number | null;
  }

  it('counts the sends of the caller’s organization per day by outcome, with the delivery rate', async () => {
    const delivered = await send(alice, { to: TO, body: 'stats delivered' });
    await dispatchOf(delivered.id);
    await report(delivered.id, MessageState.DELIVERED, 'DELIVERED');
    await send(bob, { to: TO, body: 'stats of another organization' });
    const { messageStats } = await alice.expectData<{ messageStats: DayView[] }>(STATS, {
      days: 7,
    });
    // Seven consecutive UTC days, oldest first, the last one today (or yesterday, if midnight
    // passed since the query).
    expect(messageStats).toHaveLength(7);
    const first = Date.parse(`${messageStats[0].day}T00:00:00Z`);
    expect(messageStats.map((d) => d.day)).toEqual(
      messageStats.map((_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10)),
    );
    expect(Date.now() - first).toBeLessThan(8 * 86_400_000);
    // What the organization's rows say per day (as the superuser, by the documented grouping).
    const truth = await stack.sql<{ day: string } & Record<string, number>>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              count(*) FILTER (WHERE status = 'DELIVERED')::int AS delivered,
              count(*) FILTER (WHERE status = 'SENT')::int AS sent,
              count(*) FILTER (WHERE status IN ('QUEUED','SCHEDULED','DISPATCHED'))::int AS pending,
              count(*) FILTER (WHERE status IN ('FAILED','REJECTED','EXPIRED'))::int AS failed
         FROM messages WHERE org_id = $1 AND direction = 'OUTBOUND' AND created_at >= $2
        GROUP BY 1`,
      [orgA, new Date(first)],
    );
    const expected = messageStats.map(({ day }) => {
      const t = truth.find((r) => r.day === day) ?? {
        delivered: 0,
        sent: 0,
        pending: 0,
        failed: 0,
      };
      const known = t.delivered + t.failed;
      return {
        day,
        delivered: t.delivered,
        sent: t.sent,
        pending: t.pending,
        failed: t.failed,
        total: t.delivered + t.sent + t.pending + t.failed,
        deliveryRate: known > 0 ? t.delivered / known : null,
      };
    });
    expect(messageStats).toEqual(expected);
    expect(messageStats.reduce((n, d) => n + d.delivered, 0)).toBeGreaterThanOrEqual(1);
    // Bob's message is not Alice's.
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE org_id = $1 AND direction = 'OUTBOUND'
          AND status <> 'CANCELED' AND created_at >= $2`,
      [orgA, new Date(first)],
    );
    expect(messageStats.reduce((sum, d) => sum + d.total, 0)).toBe(n);
  });

  it('refuses a range outside 1–90 days', async () => {
    for (const days of [0, 91]) {
      expect(await alice.errorCodes(STATS, { days })).toEqual(['INVALID_STATS_RANGE']);
    }
  });
});

describe('cancel', () => {
  it('cancels until the phone has sent it', async () => {
    const message = await send(alice, { to: TO, body: 'cancel me' });
    await dispatchOf(message.id);
    const canceled = (
      await alice.expectData<{ cancelMessage: MessageView }>(CANCEL, { id: message.id })
    ).cancelMessage;
    expect(canceled.status).toBe('CANCELED');
    expect(canceled.canceledAt).not.toBeNull();
    const cancel = await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'cancel',
    );
    expect(cancel.message.command.value).toMatchObject({ reason: 'canceled by user' });
    // Twice is harmless.
    expect(
      (await alice.expectData<{ cancelMessage: MessageView }>(CANCEL, { id: message.id }))
        .cancelMessage.status,
    ).toBe('CANCELED');

    const sent = await send(alice, { to: TO, body: 'too late' });
    await dispatchOf(sent.id);
    await report(sent.id, MessageState.SENT, 'SENT');
    const result = await alice.request(CANCEL, { id: sent.id });
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'MESSAGE_NOT_CANCELABLE',
      details: { status: 'SENT' },
    });
  });
});

describe('scheduled send', () => {
  it('holds the message until scheduledAt, then dispatches it', async () => {
    const at = new Date(Date.now() + 1500);
    const message = await send(alice, { to: TO, body: 'later', scheduledAt: at.toISOString() });
    expect(message).toMatchObject({
      status: 'SCHEDULED',
      attempt: 0,
      scheduledAt: at.toISOString(),
    });
    await eventOf(message.id, messagingV1.MessageEventKind.SCHEDULED);
    const command = await dispatchOf(message.id);
    // Not before its time (how soon after is a latency figure: bench/, not here).
    expect(Date.now() - at.getTime()).toBeGreaterThanOrEqual(-50);
    expect(command.message.command.value).toMatchObject({ attempt: 1, body: 'later' });
    await report(message.id, MessageState.DISPATCHED, 'DISPATCHED');
  });

  it('a scheduled message canceled before its time is never dispatched', async () => {
    const at = new Date(Date.now() + 2000);
    const message = await send(alice, { to: TO, body: 'never', scheduledAt: at.toISOString() });
    // A marker scheduled for the same time and not canceled: once it is dispatched, the
    // scheduler has run past `at` (instead of sleeping past it).
    const marker = await send(alice, { to: TO, body: 'marker', scheduledAt: at.toISOString() });
    expect(message.status).toBe('SCHEDULED');
    await alice.expectData(CANCEL, { id: message.id });
    // Canceled, its timers are gone with it: nothing is left that could dispatch it.
    expect(
      await stack.sql(`SELECT kind FROM scheduled_jobs WHERE message_id = $1`, [message.id]),
    ).toEqual([]);
    await dispatchOf(marker.id);
    await caughtUp(stack, dispatches, Topics.devices.dispatch.name, [message.id, marker.id]);
    expect(dispatches.events.filter((e) => e.key === message.id)).toHaveLength(0);
    expect((await get(alice, message.id)).status).toBe('CANCELED');
  });
});

describe('idempotency', () => {
  it('50 concurrent identical requests create exactly one message', async () => {
    const key = `order-${randomUUID()}`;
    const input = { to: TO, body: 'exactly once', idempotencyKey: key };
    const before = await countMessages(orgA);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        alice.request<{ sendMessage: MessageView }>(SEND, { input }),
      ),
    );
    const ids = new Set(results.map((r) => r.data?.sendMessage.id));
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(ids.size).toBe(1);
    expect(await countMessages(orgA)).toBe(before + 1);
    const [id] = ids;
    await dispatchOf(id!);
    await caughtUp(stack, dispatches, Topics.devices.dispatch.name, [id!]);
    expect(dispatches.events.filter((e) => e.key === id)).toHaveLength(1);

    // A later retry gets the same message; other parameters with the key are refused.
    expect((await send(alice, input)).id).toBe(id);
    expect((await send(alice, { ...input, to: '(415) 555-0123' })).id).toBe(id);
    expect(await alice.errorCodes(SEND, { input: { ...input, body: 'something else' } })).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    // Keys are per organization.
    expect((await send(bob, input)).id).not.toBe(id);
  });
});

describe('bad input: typed errors, nothing stored, nothing dispatched', () => {
  it.each([
    ['an invalid number', { to: '12345', body: 'x' }, 'INVALID_NUMBER'],
    ['letters', { to: 'not a number', body: 'x' }, 'INVALID_NUMBER'],
    ['an empty body', { to: TO, body: '   ' }, 'BODY_REQUIRED'],
    ['no body', { to: TO }, 'BODY_REQUIRED'],
    ['an oversized body', { to: TO, body: 'a'.repeat(153 * 10 + 1) }, 'BODY_TOO_LONG'],
    ['an oversized UCS-2 body', { to: TO, body: '😀'.repeat(336) }, 'BODY_TOO_LONG'],
    ['an unknown device', { to: TO, body: 'x', deviceId: 'no-such-device' }, 'UNKNOWN_DEVICE'],
    [
      "another organization's device",
      { to: TO, body: 'x', deviceId: 'device-of-b' },
      'UNKNOWN_DEVICE',
    ],
    [
      'a SIM the device lacks',
      { to: TO, body: 'x', deviceId: 'device-a', simNumber: 3 },
      'INVALID_SIM',
    ],
    ['a from of no SIM', { to: TO, body: 'x', from: '+14155550100' }, 'UNKNOWN_SENDER'],
    ['an invalid from', { to: TO, body: 'x', from: '42' }, 'INVALID_NUMBER'],
    [
      'a past validUntil',
      { to: TO, body: 'x', validUntil: '2020-01-01T00:00:00Z' },
      'INVALID_VALIDITY',
    ],
    ['bad metadata', { to: TO, body: 'x', metadata: { n: 1 } }, 'INVALID_METADATA'],
    [
      'a bad idempotency key',
      { to: TO, body: 'x', idempotencyKey: 'has spaces' },
      'INVALID_IDEMPOTENCY_KEY',
    ],
  ])('%s', async (_what, input, code) => {
    const before = await countMessages(orgA);
    expect(
      await alice.errorCodes(SEND, {
        input: {
          ...input,
          idempotencyKey: (input as { idempotencyKey?: string }).idempotencyKey ?? randomUUID(),
        },
      }),
    ).toEqual([code]);
    expect(await countMessages(orgA)).toBe(before);
    // Every command the fleet ever got is for a stored message (all of them seen first).
    await caughtUp(stack, dispatches, Topics.devices.dispatch.name);
    const stored = new Set(
      (await stack.sql<{ id: string }>(`SELECT id FROM messages`)).map((row) => row.id),
    );
    expect(dispatches.events.filter((e) => !stored.has(e.key))).toEqual([]);
  });

  it('a key first used by an invalid request stays free', async () => {
    const key = randomUUID();
    expect(
      await alice.errorCodes(SEND, { input: { to: '1', body: 'x', idempotencyKey: key } }),
    ).toEqual(['INVALID_NUMBER']);
    expect((await send(alice, { to: TO, body: 'x', idempotencyKey: key })).status).toBe('QUEUED');
  });

  it('from = one of our SIM numbers picks that device and SIM', async () => {
    const message = await send(alice, { to: TO, body: 'from a SIM', from: '+14155559999' });
    expect(message.from).toBe('+14155559999');
    const command = await dispatchOf(message.id);
    expect(command.message.command.value).toMatchObject({ deviceId: 'device-a', simNumber: 1 });
  });
});

describe('tenancy and access', () => {
  it("another organization's message cannot be read, listed or canceled", async () => {
    const message = await send(alice, { to: TO, body: 'private' });
    expect(
      await bob.errorCodes(`query($id: ID!) { message(id: $id) { id } }`, { id: message.id }),
    ).toEqual(['MESSAGE_NOT_FOUND']);
    expect(await bob.errorCodes(CANCEL, { id: message.id })).toEqual(['MESSAGE_NOT_FOUND']);
    const { messages } = await bob.expectData<{ messages: { nodes: { id: string }[] } }>(
      `{ messages(first: 100) { nodes { id } } }`,
    );
    expect(messages.nodes.map((n) => n.id)).not.toContain(message.id);
    // Federation: entities resolve in the caller's organization only.
    const entities = await bob.request<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id body } } }`,
      { r: [{ __typename: 'Message', id: message.id }] },
    );
    expect(entities.data?._entities).toEqual([null]);
    expect(
      await bob.errorCodes(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { messages { nodes { id } } } } }`,
        { r: [{ __typename: 'Organization', id: orgA }] },
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      await app
        .gql()
        .errorCodes(
          `query($r: [_Any!]!) { _entities(representations: $r) { ... on Device { messages { nodes { id } } } } }`,
          {
            r: [{ __typename: 'Device', id: 'device-a' }],
          },
        ),
    ).toEqual(['UNAUTHENTICATED']);
  });

  it('checks authentication and scopes', async () => {
    const input = { to: TO, body: 'x' };
    expect(await app.gql().errorCodes(SEND, { input })).toEqual(['UNAUTHENTICATED']);
    expect(await app.gql('garbage').errorCodes(SEND, { input })).toEqual(['UNAUTHENTICATED']);
    const reader = app.gql(await stack.tokens.apiToken(orgA, ['messages:read']));
    expect(await reader.errorCodes(SEND, { input })).toEqual(['FORBIDDEN']);
    expect(await reader.errorCodes(`{ messages { nodes { id } } }`)).toEqual([]);
    const sender = app.gql(await stack.tokens.apiToken(orgA, ['messages:send']));
    expect((await send(sender, input)).status).toBe('QUEUED');
    expect(await sender.errorCodes(`{ messages { nodes { id } } }`)).toEqual(['FORBIDDEN']);
    const phone = app.gql(await stack.tokens.device(orgA));
    expect(await phone.errorCodes(SEND, { input })).toEqual(['FORBIDDEN']);
  });
});

describe('organizations', () => {
  it('national numbers are read in the organization’s country; suspended organizations are rejected', async () => {
    const orgC = randomUUID();
    const carol = app.gql(await stack.tokens.user(orgC));
    await accounts.organization(orgC, {
      slug: 'c',
      name: 'C',
      status: accountsV1.OrganizationStatus.ACTIVE,
      defaultCountry: 'GB',
    });
    // Until accounts' event arrives the configured country (US) applies: not a valid number.
    const sendMessage = await eventually(
      'GB organization',
      async () =>
        (
          await carol.request<{ sendMessage: MessageView }>(SEND, {
            input: { to: '07911 123456', body: 'hi' },
          })
        ).data?.sendMessage,
    );
    expect(sendMessage.to).toBe('+447911123456');

    await accounts.publish(Topics.accounts.organization, orgC, orgC, {
      orgId: orgC,
      occurredAt: timestampFromDate(new Date()),
      event: {
        case: 'updated',
        value: {
          organization: {
            orgId: orgC,
            slug: 'c',
            name: 'C',
            status: accountsV1.OrganizationStatus.SUSPENDED,
          },
          changedFields: ['status'],
        },
      },
    });
    const rejected = await eventually('rejected', async () => {
      const m = await send(carol, { to: TO, body: 'blocked' });
      return m.status === 'REJECTED' && m;
    });
    expect(rejected.error).toMatchObject({ code: 'ORGANIZATION_SUSPENDED' });
    await eventOf(rejected.id, messagingV1.MessageEventKind.REJECTED);
    await caughtUp(stack, dispatches, Topics.devices.dispatch.name, [rejected.id]);
    expect(dispatches.events.filter((e) => e.key === rejected.id)).toHaveLength(0);

    // Purged by accounts: messaging deletes everything it holds for the organization.
    expect(await countMessages(orgC)).toBeGreaterThan(0);
    await accounts.publish(Topics.accounts.organization, orgC, orgC, {
      orgId: orgC,
      occurredAt: timestampFromDate(new Date()),
      event: { case: 'deleted', value: { slug: 'c' } },
    });
    await eventually('purged', async () => (await countMessages(orgC)) === 0);
    expect(await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1`, [orgC])).toEqual([]);
    expect(await stack.sql(`SELECT 1 FROM scheduled_jobs WHERE tenant_id = $1`, [orgC])).toEqual(
      [],
    );
  });
});

describe('scheduler', () => {
  it('survives a restart and never dispatches twice with two replicas', async () => {
    // Scheduled dispatches a replica has run (its metric).
    const done = async (replica: RunningApp) => {
      const text = await scrapeMetrics(replica.app);
      const line =
        /messaging_scheduler_jobs_total\{[^}]*kind="dispatch"[^}]*outcome="done"[^}]*\} (\d+)/.exec(
          text,
        );
      return Number(line?.[1] ?? 0);
    };
    const at = new Date(Date.now() + 6000);
    const scheduled = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        send(alice, { to: TO, body: `replicated ${i}`, scheduledAt: at.toISOString() }),
      ),
    );
    // The service goes down (before their time, unless the machine is very slow); two
    // replicas come up.
    await app.close();
    const closedBeforeTheirTime = Date.now() < at.getTime();
    // Small batches, so the replicas interleave.
    const replica = { SCHEDULER_BATCH_SIZE: '5', SCHEDULER_POLL_INTERVAL_MS: '50' };
    const [first, second] = await Promise.all([startApp(stack, replica), startApp(stack, replica)]);
    app = first;
    try {
      const ids = new Set(scheduled.map((m) => m.id));
      await eventually(
        'all dispatched',
        () => dispatches.events.filter((e) => ids.has(e.key)).length >= 30,
        20_000,
      );
      // Every command either replica wrote is seen before counting them.
      await caughtUp(stack, dispatches, Topics.devices.dispatch.name, [...ids]);
      const commands = dispatches.events.filter((e) => ids.has(e.key));
      expect(commands).toHaveLength(30);
      expect(new Set(commands.map((e) => e.key)).size).toBe(30);
      const rows = await stack.sql<{ status: string; attempt: number; n: number }>(
        `SELECT status, attempt, count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY 1, 2`,
        [[...ids]],
      );
      expect(rows).toEqual([{ status: 'SCHEDULED', attempt: 1, n: 30 }]);
      expect(
        await stack.sql(
          `SELECT 1 FROM scheduled_jobs WHERE message_id = ANY($1::uuid[]) AND kind = 'dispatch'`,
          [[...ids]],
        ),
      ).toEqual([]);
      // Each job ran once, on one replica or the other (all of them on the replicas when the
      // first instance stopped before their time; a very slow machine may have let it run some).
      const [a, b] = [await done(first), await done(second)];
      console.log(`scheduled dispatches run by replica 1: ${a}, replica 2: ${b}`);
      if (closedBeforeTheirTime) expect(a + b).toBe(30);
      else expect(a + b).toBeLessThanOrEqual(30);
    } finally {
      await second.close();
    }
  }, 60_000);
});
