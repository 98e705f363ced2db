// Routes and the router in the send path (issue 12, routing/), against real PostgreSQL and
// Kafka: routes through GraphQL, the destination allow-list, daily caps, MMS refused by the
// device pool, attempts recorded, and an organization without routes sending as before.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, devicesV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { RoutesRepository } from '../src/routing/routes.repository';
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

const plainOrg = randomUUID(); // no routes: the implicit device pool
const routedOrg = randomUUID();
let plain: GraphQLClient;
let admin: GraphQLClient;
let member: GraphQLClient;

const US = '+14155550123';
const GB = '+442071838750'; // London

const ROUTE_FIELDS = `id name kind carrierAccountId priority allowedCountries costPerSegmentMinor
  costCurrency dailyCapSegments deviceFailoverSeconds enabled mmsCapable`;
const CREATE = `mutation C($input: CreateRouteInput!) { createRoute(input: $input) { ${ROUTE_FIELDS} } }`;
const UPDATE = `mutation U($id: ID!, $input: UpdateRouteInput!) { updateRoute(id: $id, input: $input) { ${ROUTE_FIELDS} } }`;
const DELETE = `mutation D($id: ID!) { deleteRoute(id: $id) }`;
const LIST = `{ routes { ${ROUTE_FIELDS} } }`;
const ATTEMPTS = `query A($id: ID!) { message(id: $id) { id status route attempts { attempt routeId routeKind outcome errorCode endedAt } } }`;

interface RouteView {
  id: string;
  kind: string;
  priority: number;
  allowedCountries: string[];
  dailyCapSegments: number | null;
  mmsCapable: boolean;
}

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  devices = new FakeService(stack.broker.brokers, 'devices');
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  for (const table of ['routes', 'message_route_attempts', 'route_daily_usage']) {
    await stack.sql(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
  plain = app.gql(await stack.tokens.user(plainOrg));
  admin = app.gql(await stack.tokens.user(routedOrg, 'CUSTOMER'));
  member = app.gql(await stack.tokens.apiToken(routedOrg, ['messages:send', 'messages:read']));
  await devices.device(plainOrg, 'device-p', {
    case: 'registered',
    value: { status: devicesV1.DeviceStatus.ONLINE, device: { name: 'p', sims: [{ slot: 1 }] } },
  });
  const accounts = new FakeService(stack.broker.brokers, 'accounts');
  await accounts.organization(plainOrg, {
    slug: 'plain',
    name: 'Plain',
    status: accountsV1.OrganizationStatus.ACTIVE,
    defaultCountry: 'US',
  });
  await accounts.stop();
  await eventually(
    'device projection',
    async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM devices`);
      return n === 1;
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

const createRoute = async (client: GraphQLClient, input: Record<string, unknown>) =>
  (await client.expectData<{ createRoute: RouteView }>(CREATE, { input })).createRoute;

const attemptsOf = async (client: GraphQLClient, id: string) =>
  (
    await client.expectData<{
      message: {
        route: string | null;
        attempts: { attempt: number; routeId: string | null; routeKind: string; outcome: string }[];
      };
    }>(ATTEMPTS, { id })
  ).message;

describe('an organization without routes', () => {
  it('sends through the device pool as before, and records the attempt', async () => {
    const message = await send(plain, { to: US, body: 'as before' });
    expect(message).toMatchObject({ status: 'QUEUED', route: 'DEVICE', attempt: 1 });
    await dispatches.waitFor((e) => e.key === message.id && e.message.command.case === 'dispatch');
    expect(await attemptsOf(plain, message.id)).toMatchObject({
      route: 'DEVICE',
      attempts: [{ attempt: 1, routeId: null, routeKind: 'DEVICE_POOL', outcome: 'PENDING' }],
    });
  });

  it('sends to any country, as before (no allow-list without routes)', async () => {
    expect(await send(plain, { to: GB, body: 'abroad' })).toMatchObject({ status: 'QUEUED' });
  });

  it('refuses MMS: the device pool sends SMS only → REJECTED MMS_NOT_SUPPORTED', async () => {
    const message = await send(plain, {
      to: US,
      body: 'a picture',
      mediaUrls: ['https://cdn.example.com/cat.jpg'],
    });
    expect(message).toMatchObject({ status: 'REJECTED', error: { code: 'MMS_NOT_SUPPORTED' } });
  });

  it('refuses bad media URLs with INVALID_MEDIA, storing nothing', async () => {
    const codes = await plain.errorCodes(
      `mutation S($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
      { input: { to: US, body: 'x', mediaUrls: ['http://cdn.example.com/cat.jpg'] } },
    );
    expect(codes).toEqual(['INVALID_MEDIA']);
  });
});

describe('routes', () => {
  let pool: RouteView;

  it('are organization settings: admins only', async () => {
    expect(await member.errorCodes(LIST)).toEqual(['FORBIDDEN']);
  });

  it('default to the organization country only (SMS-pumping protection)', async () => {
    pool = await createRoute(admin, { name: 'Phones', kind: 'DEVICE_POOL', priority: 1 });
    expect(pool).toMatchObject({
      kind: 'DEVICE_POOL',
      priority: 1,
      allowedCountries: ['US'],
      mmsCapable: false,
      dailyCapSegments: null,
    });
    expect((await admin.expectData<{ routes: RouteView[] }>(LIST)).routes).toEqual([pool]);
  });

  it('refuse bad settings with INVALID_ROUTE and unknown ids with ROUTE_NOT_FOUND', async () => {
    expect(
      await admin.errorCodes(CREATE, {
        input: { name: 'x', kind: 'DEVICE_POOL', allowedCountries: ['ZZ'] },
      }),
    ).toEqual(['INVALID_ROUTE']);
    // One device pool per organization.
    expect(await admin.errorCodes(CREATE, { input: { name: 'y', kind: 'DEVICE_POOL' } })).toEqual([
      'INVALID_ROUTE',
    ]);
    // A carrier route names a carrier account of its kind.
    expect(
      await admin.errorCodes(CREATE, {
        input: { name: 'z', kind: 'TWILIO', carrierAccountId: randomUUID() },
      }),
    ).toEqual(['INVALID_ROUTE']);
    expect(await admin.errorCodes(UPDATE, { id: randomUUID(), input: { priority: 2 } })).toEqual([
      'ROUTE_NOT_FOUND',
    ]);
    expect(await admin.errorCodes(DELETE, { id: randomUUID() })).toEqual(['ROUTE_NOT_FOUND']);
  });

  it('a destination outside every allow-list is REJECTED COUNTRY_NOT_ALLOWED, never dispatched', async () => {
    const message = await send(member, { to: GB, body: 'premium-rate bait' });
    expect(message).toMatchObject({
      status: 'REJECTED',
      route: null,
      attempt: 0,
      error: { code: 'COUNTRY_NOT_ALLOWED' },
    });
    const ok = await send(member, { to: US, body: 'home' });
    expect(ok).toMatchObject({ status: 'QUEUED', route: 'DEVICE' });
    expect(await attemptsOf(member, ok.id)).toMatchObject({
      attempts: [{ attempt: 1, routeId: pool.id, routeKind: 'DEVICE_POOL', outcome: 'PENDING' }],
    });
    // Allowing the country lets it through.
    await admin.expectData(UPDATE, { id: pool.id, input: { allowedCountries: ['US', 'gb'] } });
    expect(await send(member, { to: GB, body: 'now allowed' })).toMatchObject({
      status: 'QUEUED',
      error: null,
    });
  });

  it('counts segments per day against the cap: DAILY_CAP_REACHED past it', async () => {
    const [{ used }] = await stack.sql<{ used: number }>(
      `SELECT segments AS used FROM route_daily_usage WHERE route_id = $1`,
      [pool.id],
    );
    await admin.expectData(UPDATE, { id: pool.id, input: { dailyCapSegments: used + 1 } });
    expect(await send(member, { to: US, body: 'the last one today' })).toMatchObject({
      status: 'QUEUED',
    });
    expect(await send(member, { to: US, body: 'one too many' })).toMatchObject({
      status: 'REJECTED',
      error: { code: 'DAILY_CAP_REACHED' },
    });
    await admin.expectData(UPDATE, { id: pool.id, input: { clearDailyCap: true } });
    expect(await send(member, { to: US, body: 'uncapped' })).toMatchObject({ status: 'QUEUED' });
  });

  it('concurrent sends at the cap never pass it (the cap is taken in one conditional statement)', async () => {
    const [{ used }] = await stack.sql<{ used: number }>(
      `SELECT segments AS used FROM route_daily_usage WHERE route_id = $1`,
      [pool.id],
    );
    await admin.expectData(UPDATE, { id: pool.id, input: { dailyCapSegments: used + 3 } });
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) => send(member, { to: US, body: `race ${i}` })),
    );
    expect(sent.filter((m) => m.status === 'QUEUED')).toHaveLength(3);
    const refused = sent.filter((m) => m.status !== 'QUEUED');
    expect(refused).toHaveLength(9);
    for (const m of refused) {
      expect(m).toMatchObject({ status: 'REJECTED', error: { code: 'DAILY_CAP_REACHED' } });
    }
    const [{ now }] = await stack.sql<{ now: number }>(
      `SELECT segments AS now FROM route_daily_usage WHERE route_id = $1`,
      [pool.id],
    );
    expect(now).toBe(used + 3);
    await admin.expectData(UPDATE, { id: pool.id, input: { clearDailyCap: true } });
  });

  it('a disabled last route leaves no route: REJECTED NO_ROUTE_AVAILABLE', async () => {
    await admin.expectData(UPDATE, { id: pool.id, input: { enabled: false } });
    expect(await send(member, { to: US, body: 'nowhere' })).toMatchObject({
      status: 'REJECTED',
      error: { code: 'NO_ROUTE_AVAILABLE' },
    });
    await admin.expectData(UPDATE, { id: pool.id, input: { enabled: true } });
  });

  it('deleting the last route brings back the implicit device pool', async () => {
    expect(
      (await admin.expectData<{ deleteRoute: boolean }>(DELETE, { id: pool.id })).deleteRoute,
    ).toBe(true);
    expect(await send(member, { to: GB, body: 'anywhere again' })).toMatchObject({
      status: 'QUEUED',
      route: 'DEVICE',
    });
  });
});

describe('inbound MMS', () => {
  const INBOUND = `query($id: ID!) { message(id: $id) { status body mediaUrls metadata } }`;
  const receive = (id: string, mms: { mediaUrls: string[]; size?: bigint }, body = '') =>
    devices.publish(Topics.devices.inbound, plainOrg, plainOrg, {
      id,
      orgId: plainOrg,
      deviceId: 'device-p',
      from: { e164: '+14155550188' },
      fromRaw: '+14155550188',
      body,
      simNumber: 1,
      receivedAt: timestampFromDate(new Date()),
      mms: {
        transactionId: `T${id}`,
        size: mms.size ?? 0n,
        contentClass: 'IMAGE_BASIC',
        mediaUrls: mms.mediaUrls,
      },
    });
  const stored = (deviceMessageId: string) =>
    eventually(
      'the inbound MMS stored',
      async () => {
        const rows = await stack.sql<{ id: string }>(
          `SELECT id FROM messages WHERE device_message_id = $1`,
          [deviceMessageId],
        );
        return rows[0]?.id;
      },
      30_000,
    );

  it('is stored with its media URLs (https only), told apart as an MMS', async () => {
    await receive('mms-with-media', {
      mediaUrls: ['https://media.example.com/1.jpg', 'https://media.example.com/2.jpg'],
    });
    const id = await stored('mms-with-media');
    expect((await plain.expectData<{ message: unknown }>(INBOUND, { id })).message).toEqual({
      status: 'RECEIVED',
      body: '',
      mediaUrls: ['https://media.example.com/1.jpg', 'https://media.example.com/2.jpg'],
      metadata: { mms: 'true', mmsContentClass: 'IMAGE_BASIC' },
    });
  });

  it('an SMSGate mms:received (the phone keeps the content): its subject and facts, no media', async () => {
    await receive('mms-notification', { mediaUrls: [], size: 125_684n }, 'Photo attachment');
    const id = await stored('mms-notification');
    expect((await plain.expectData<{ message: unknown }>(INBOUND, { id })).message).toEqual({
      status: 'RECEIVED',
      body: 'Photo attachment',
      mediaUrls: [],
      metadata: { mms: 'true', mmsSize: '125684', mmsContentClass: 'IMAGE_BASIC' },
    });
  });
});

describe('Message.attempts of a page of messages', () => {
  it('are read in one query for the whole page, not one per message', async () => {
    const repository = app.app.get(RoutesRepository);
    const many = jest.spyOn(repository, 'attemptsOfMany');
    const one = jest.spyOn(repository, 'attemptsOf');
    try {
      const { messages } = await member.expectData<{
        messages: { nodes: { id: string; attempts: { attempt: number; routeKind: string }[] }[] };
      }>(`{ messages(first: 20) { nodes { id attempts { attempt routeKind } } } }`);
      const withAttempts = messages.nodes.filter((m) => m.attempts.length > 0);
      expect(withAttempts.length).toBeGreaterThan(5);
      expect(many).toHaveBeenCalledTimes(1);
      expect(many.mock.calls[0][1]).toHaveLength(messages.nodes.length);
      expect(one).not.toHaveBeenCalled();
      // The same answers as one message at a time.
      const single = await attemptsOf(member, withAttempts[0].id);
      expect(single.attempts.map((a) => a.attempt)).toEqual(
        withAttempts[0].attempts.map((a) => a.attempt),
      );
    } finally {
      many.mockRestore();
      one.mockRestore();
    }
  });
});
