// Failover between routes (issue 12, routing/), against real PostgreSQL and Kafka, with the
// devices service played by the test: a device pool no phone takes a message from in time is
// withdrawn (only once devices confirms nothing sent it) and the message goes to the carrier
// route; a carrier's retryable failure (Twilio 30007) sends it back to the device pool; a route
// is taken once; MMS skips the device pool. Carrier sends land in the carriers' dispatch queue
// (carrier_dispatch_queue), which area A's worker sends from.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { commonV1, devicesV1, messagingV1, Topics } from '@switchboard/contracts';
import { inTenantTransaction } from '@switchboard/tenancy';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import type { Message } from '../src/domain/message';
import { MessagingPrivacyRepository } from '../src/privacy/messaging-privacy.repository';
import { RoutingService } from '../src/routing/routing.service';
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

const { MessageState } = devicesV1;

let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;

const org = randomUUID();
let admin: GraphQLClient;
let client: GraphQLClient;
let poolId: string;
let twilioId: string;

const US = '+14155550123';

const CREATE = `mutation C($input: CreateRouteInput!) { createRoute(input: $input) { id } }`;
const UPDATE = `mutation U($id: ID!, $input: UpdateRouteInput!) { updateRoute(id: $id, input: $input) { id } }`;
const ATTEMPTS = `query A($id: ID!) { message(id: $id) { status route attempt error { code rawCode }
  attempts { attempt routeId routeKind outcome errorCode errorRawCode endedAt } } }`;

interface AttemptsView {
  status: string;
  route: string | null;
  attempt: number;
  error: { code: string; rawCode: string | null } | null;
  attempts: {
    attempt: number;
    routeId: string | null;
    routeKind: string;
    outcome: string;
    errorCode: string | null;
    errorRawCode: string | null;
  }[];
}

const view = async (id: string) =>
  (await client.expectData<{ message: AttemptsView }>(ATTEMPTS, { id })).message;

const carrierSends = (id: string) =>
  stack.sql<{ attempt: number; route_id: string }>(
    `SELECT attempt, route_id FROM carrier_dispatch_queue WHERE message_id = $1 ORDER BY attempt`,
    [id],
  );

const commandsOf = (id: string) =>
  stack.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND record_key = $2`,
    [Topics.devices.dispatch.name, id],
  );

beforeAll(async () => {
  stack = await startStack();
  // The carriers' worker stays off: the queue rows are what routing hands over.
  app = await startApp(stack, { CARRIER_WORKER_ENABLED: 'false' });
  devices = new FakeService(stack.broker.brokers, 'devices');
  // Quiet hours off: the campaign-purpose sends below are otherwise held outside 08:00–21:00 in
  // the recipient's time (the platform default), which made this file fail at night in the US.
  const compliance = new FakeService(stack.broker.brokers, 'compliance');
  await handled(stack, [await compliance.policy(org)]);
  await compliance.stop();
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  for (const table of ['routes', 'message_route_attempts', 'carrier_accounts', 'scheduled_jobs']) {
    await stack
      .sql(`CREATE POLICY test_owner_all ON ${table} TO CURRENT_USER USING (true)`)
      .catch(() => undefined); // scheduled_jobs is no tenant table
  }
  admin = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  client = app.gql(await stack.tokens.apiToken(org, ['messages:send', 'messages:read']));
  // A Twilio account of the organization (area A's table; its credentials do not matter here).
  const accountId = randomUUID();
  await stack.sql(
    `INSERT INTO carrier_accounts (org_id, id, kind, name, credentials, credentials_key_id, credential_hint, created_at, updated_at)
     VALUES ($1, $2, 'TWILIO', 'Twilio', 'sealed', 'k1', '…1234', now(), now())`,
    [org, accountId],
  );
  poolId = (
    await admin.expectData<{ createRoute: { id: string } }>(CREATE, {
      input: { name: 'Phones', kind: 'DEVICE_POOL', priority: 1, deviceFailoverSeconds: 1 },
    })
  ).createRoute.id;
  twilioId = (
    await admin.expectData<{ createRoute: { id: string } }>(CREATE, {
      input: { name: 'Twilio', kind: 'TWILIO', carrierAccountId: accountId, priority: 2 },
    })
  ).createRoute.id;
}, 90_000);

afterAll(async () => {
  await dispatches?.stop();
  await devices?.stop();
  await app?.close();
  await stack?.stop();
});

describe('device pool → carrier', () => {
  it('withdraws a message no phone took by the deadline, then hands it to Twilio once devices confirms', async () => {
    const message = await send(client, { to: US, body: 'no phone online' });
    expect(message).toMatchObject({ status: 'QUEUED', route: 'DEVICE', attempt: 1 });
    await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'dispatch',
      30_000,
    );
    // The deadline (1 s): messaging asks devices to withdraw it — and waits for the answer.
    const withdraw = await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'cancel',
      30_000,
    );
    expect(withdraw.message.command.value).toMatchObject({
      reason: expect.stringMatching(/failover/),
    });
    expect(await view(message.id)).toMatchObject({
      route: 'DEVICE',
      attempts: [{ attempt: 1, routeKind: 'DEVICE_POOL', outcome: 'WITHDRAWING' }],
    });
    expect(await carrierSends(message.id)).toEqual([]);
    // Devices: nothing sent it (it was waiting in the pool) → CANCELED.
    await devices.state(org, message.id, MessageState.CANCELED, { deviceId: '', attempt: 1 });
    const after = await eventually('failed over to Twilio', async () => {
      const v = await view(message.id);
      return v.route === 'TWILIO' && v;
    });
    expect(after).toMatchObject({
      status: 'QUEUED',
      attempt: 2,
      attempts: [
        { attempt: 1, routeId: poolId, outcome: 'WITHDRAWN', errorCode: 'DEVICE_TIMEOUT' },
        { attempt: 2, routeId: twilioId, routeKind: 'TWILIO', outcome: 'PENDING' },
      ],
    });
    expect(await carrierSends(message.id)).toEqual([{ attempt: 2, route_id: twilioId }]);
  });

  it('does not fail over a message a phone took before the deadline', async () => {
    // A deadline far away, brought forward once the phone has it: no race with a slow machine.
    await admin.expectData(UPDATE, { id: poolId, input: { deviceFailoverSeconds: 3600 } });
    const message = await send(client, { to: US, body: 'a phone takes it' });
    await admin.expectData(UPDATE, { id: poolId, input: { deviceFailoverSeconds: 1 } });
    await devices.state(org, message.id, MessageState.DISPATCHED, { deviceId: 'device-a' });
    await eventually(
      'DISPATCHED',
      async () => (await get(client, message.id)).status === 'DISPATCHED',
    );
    await stack.sql(
      `UPDATE scheduled_jobs SET due_at = now() WHERE message_id = $1 AND kind = 'route-deadline'`,
      [message.id],
    );
    // The deadline job runs (and does nothing): it leaves the queue.
    await eventually('deadline done', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM scheduled_jobs WHERE message_id = $1 AND kind = 'route-deadline'`,
        [message.id],
      );
      return n === 0;
    });
    expect(await commandsOf(message.id)).toEqual([{ n: 1 }]); // the dispatch only
    expect(await view(message.id)).toMatchObject({
      route: 'DEVICE',
      attempts: [{ attempt: 1, routeKind: 'DEVICE_POOL', outcome: 'PENDING' }],
    });
  });

  it('keeps the message on the phone that sent it while being withdrawn (SENT wins)', async () => {
    const message = await send(client, { to: US, body: 'too late to withdraw' });
    await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'cancel',
      30_000,
    );
    await devices.state(org, message.id, MessageState.SENT, { deviceId: 'device-a' });
    const sent = await eventually('SENT', async () => {
      const v = await view(message.id);
      return v.status === 'SENT' && v;
    });
    expect(sent).toMatchObject({ route: 'DEVICE', attempt: 1 });
    expect(sent.attempts).toHaveLength(1);
    expect(await carrierSends(message.id)).toEqual([]);
  });
});

describe('carrier → device pool', () => {
  beforeAll(async () => {
    // Twilio first now.
    await admin.expectData(UPDATE, { id: twilioId, input: { priority: 0 } });
  });

  const failOnTwilio = (id: string, rawCode: string, retryable: boolean) =>
    inTenantTransaction(app.app.get(DataSource), org, (tx) =>
      app.app.get(RoutingService).onAttemptFailed(tx, { id } as Message, {
        routeId: twilioId,
        error: {
          code: retryable ? 'FILTERED' : 'INVALID_NUMBER',
          rawCode,
          rawText: retryable
            ? 'Message filtered'
            : `The 'To' number ${US} is not a valid phone number`,
          retryableOnAnotherRoute: retryable,
          transient: false,
        },
      }),
    );

  it('a Twilio 30007 on a campaign message fails over to the device pool, which delivers it', async () => {
    // A campaign's message arrives as a send command (messaging.send.v1), as campaigns send.
    const key = randomUUID();
    await devices.publish(Topics.messaging.send, `${org}:${key}`, org, {
      orgId: org,
      idempotencyKey: key,
      to: US,
      body: 'campaign',
      purpose: messagingV1.SendPurpose.CAMPAIGN,
      requestedBy: { type: commonV1.ActorType.SERVICE, id: 'campaigns' },
    });
    const [{ id }] = await eventually('the command sent', () =>
      stack
        .sql<{ id: string }>(`SELECT id FROM messages WHERE idempotency_key = $1`, [key])
        .then((rows) => rows.length > 0 && rows),
    );
    const message = await get(client, id);
    expect(message).toMatchObject({ route: 'TWILIO', attempt: 1 });
    expect(await stack.sql(`SELECT purpose FROM messages WHERE id = $1`, [id])).toEqual([
      { purpose: 'CAMPAIGN' },
    ]);
    expect(await carrierSends(message.id)).toEqual([{ attempt: 1, route_id: twilioId }]);
    expect(await failOnTwilio(message.id, '30007', true)).toBe(true);
    const dispatch = await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'dispatch',
      30_000,
    );
    expect(dispatch.message.command.value).toMatchObject({ attempt: 2 });
    await devices.state(org, message.id, MessageState.DELIVERED, {
      deviceId: 'device-a',
      attempt: 2,
    });
    const delivered = await eventually('DELIVERED', async () => {
      const v = await view(message.id);
      return v.status === 'DELIVERED' && v;
    });
    expect(delivered).toMatchObject({
      route: 'DEVICE',
      attempt: 2,
      attempts: [
        {
          attempt: 1,
          routeKind: 'TWILIO',
          outcome: 'FAILED',
          errorCode: 'FILTERED',
          errorRawCode: '30007',
        },
        { attempt: 2, routeKind: 'DEVICE_POOL', outcome: 'SUCCEEDED' },
      ],
    });
  });

  it('never goes back to a route that failed it: the last route failing ends it with its error', async () => {
    const message = await send(client, { to: US, body: 'fails everywhere' });
    expect(await failOnTwilio(message.id, '30007', true)).toBe(true);
    await dispatches.waitFor(
      (e) =>
        e.key === message.id &&
        e.message.command.case === 'dispatch' &&
        e.message.command.value.attempt === 2,
      30_000,
    );
    // The pool cannot send it either (no network on any phone: another route might have
    // helped, but Twilio failed it already): after the pool's own re-dispatch, nothing is left.
    await devices.state(org, message.id, MessageState.FAILED, {
      deviceId: 'device-a',
      attempt: 2,
      errorCode: 'NO_SERVICE',
    });
    await dispatches.waitFor(
      (e) =>
        e.key === message.id &&
        e.message.command.case === 'dispatch' &&
        e.message.command.value.attempt === 3,
      30_000,
    );
    await devices.state(org, message.id, MessageState.FAILED, {
      deviceId: 'device-b',
      attempt: 3,
      errorCode: 'NO_SERVICE',
    });
    const failed = await eventually('FAILED', async () => {
      const v = await view(message.id);
      return v.status === 'FAILED' && v;
    });
    expect(failed.error).toMatchObject({ code: 'NO_SERVICE' }); // the last attempt's
    expect(failed.attempts.map((a) => a.routeKind)).toEqual(['TWILIO', 'DEVICE_POOL']);
    expect(await carrierSends(message.id)).toHaveLength(1);
  });

  it('a carrier error no other route can help with is not failed over', async () => {
    const message = await send(client, { to: US, body: 'bad number' });
    expect(await failOnTwilio(message.id, '21211', false)).toBe(false);
    expect(await view(message.id)).toMatchObject({
      route: 'TWILIO',
      attempts: [{ routeKind: 'TWILIO', outcome: 'FAILED', errorRawCode: '21211' }],
    });
    const rawTexts = () =>
      stack.sql<{ text: string | null }>(
        `SELECT error_raw_message AS text FROM message_route_attempts WHERE message_id = $1`,
        [message.id],
      );
    expect(await rawTexts()).toEqual([{ text: expect.stringContaining(US) }]);
    // An erasure of the number (privacy request) takes the route's raw text quoting it too.
    await inTenantTransaction(app.app.get(DataSource), org, (tx) =>
      app.app
        .get(MessagingPrivacyRepository)
        .eraseMessages(tx, US, `erased-${randomUUID()}`, new Date(), 1000),
    );
    expect(await rawTexts()).toEqual([{ text: null }]);
  });
});

describe('MMS', () => {
  it('skips the device pool: an MMS goes to the carrier route even when the pool comes first', async () => {
    await admin.expectData(UPDATE, { id: twilioId, input: { priority: 5 } });
    const message = await send(client, {
      to: US,
      body: 'a picture',
      mediaUrls: ['https://cdn.example.com/cat.jpg'],
    });
    expect(message).toMatchObject({ status: 'QUEUED', route: 'TWILIO' });
    expect(await carrierSends(message.id)).toEqual([{ attempt: 1, route_id: twilioId }]);
    const [{ media_urls }] = await stack.sql<{ media_urls: string[] }>(
      `SELECT media_urls FROM messages WHERE id = $1`,
      [message.id],
    );
    expect(media_urls).toEqual(['https://cdn.example.com/cat.jpg']);
  });
});
