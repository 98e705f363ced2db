// A sender (route preference, issue 13) against real PostgreSQL and Kafka, with a local Twilio
// whose every request is checked against its OpenAPI spec and signed status callbacks:
// - sendMessage pinned to Twilio goes through Twilio although the device pool comes first, and
//   a retryable Twilio failure does not fall over to the pool (no `routeFallback`);
// - a full pinned route gives DAILY_CAP_REACHED, or with `routeFallback` falls over;
// - unknown / disabled routes and a `from` not of the route are typed errors, on sendMessage
//   and on createCampaign; messaging.send.v1's route_id is the same choice;
// - a campaign pinned to Twilio sends every recipient through it from its number, paced at its
//   one number's throughput; pinned to the pool with a SIM's number, only that SIM sends and
//   the planned rate is one phone's.
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { accountsV1, commonV1, devicesV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { CarrierTestServer, postTwilio, twilioStatusParams } from './support/carrier-test-server';
import { FakeService } from './support/fake-devices';
import { send, SEND } from './support/messaging-api';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const PUBLIC = 'https://hooks.switchboard.test';
const TWILIO_SID = `AC${'5e6f7a8b'.repeat(4)}`;
const TWILIO_TOKEN = '2f3e4d5c6b7a89988796a5b4c3d2e1f0';
const TWILIO_NUMBER = '+14155550110';
const OTHER_NUMBER = '+14155550111';
const SIM_NUMBER = '+14155559999';
const CONTACT = '+14155550123';

let server: CarrierTestServer;
let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let compliance: FakeService;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;
let owner: GraphQLClient;
const org = randomUUID();
let twilioAccount: { id: string; statusCallbackUrl: string };
let poolId: string;
let twilioRouteId: string;
let telnyxRouteId: string;

const ATTEMPTS = `query A($id: ID!) { message(id: $id) { status route from campaignId
  error { code } attempts { routeId routeKind outcome } } }`;
interface AttemptsView {
  status: string;
  route: string | null;
  from: string | null;
  campaignId: string | null;
  error: { code: string } | null;
  attempts: { routeId: string | null; routeKind: string; outcome: string }[];
}
const view = async (id: string) =>
  (await owner.expectData<{ message: AttemptsView }>(ATTEMPTS, { id })).message;

const createRoute = async (input: Record<string, unknown>) =>
  (
    await owner.expectData<{ createRoute: { id: string } }>(
      `mutation C($input: CreateRouteInput!) { createRoute(input: $input) { id } }`,
      { input },
    )
  ).createRoute.id;
const updateRoute = (id: string, input: Record<string, unknown>) =>
  owner.expectData(
    `mutation U($id: ID!, $input: UpdateRouteInput!) { updateRoute(id: $id, input: $input) { id } }`,
    { id, input },
  );

const CAMPAIGN = `id status sender { routeId from fallback }
  progress { recipientsTotal messagesCreated sendErrors plannedRatePerMinute plannedRateLimitedBy }`;
interface CampaignView {
  id: string;
  status: string;
  sender: { routeId: string; from: string | null; fallback: boolean } | null;
  progress: {
    recipientsTotal: number;
    messagesCreated: number;
    sendErrors: number;
    plannedRatePerMinute: number;
    plannedRateLimitedBy: string;
  };
}
const CREATE_CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN} } }`;
const campaignInput = (listId: string, sender: Record<string, unknown> | null) => ({
  input: {
    name: 'Pinned',
    listId,
    template: 'Hi {{first_name|there}}, pinned',
    ratePerMinute: 6000,
    ...(sender ? { sender } : {}),
  },
});
const campaign = async (id: string) =>
  (
    await owner.expectData<{ campaign: CampaignView }>(
      `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`,
      { id },
    )
  ).campaign;
const act = (action: string, id: string) =>
  owner.expectData(`mutation($id: ID!) { ${action}Campaign(id: $id) { id } }`, { id });

/** A static list of `n` new contacts. */
async function listOf(n: number, first: number): Promise<{ listId: string; numbers: string[] }> {
  const { createContactList } = await owner.expectData<{ createContactList: { id: string } }>(
    `mutation { createContactList(input: { name: "Pinned ${first}" }) { id } }`,
  );
  const ids: string[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) {
    const phoneNumber = `+1415556${String(first + i).padStart(4, '0')}`;
    const { createContact } = await owner.expectData<{ createContact: { id: string } }>(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
      { input: { phoneNumber } },
    );
    ids.push(createContact.id);
    numbers.push(phoneNumber);
  }
  await owner.expectData(
    `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }`,
    { id: createContactList.id, ids },
  );
  return { listId: createContactList.id, numbers };
}

/** The messages of a campaign, once it created `n`. */
const messagesOf = (campaignId: string, n: number) =>
  eventually(
    `${n} campaign messages`,
    async () => {
      const found = await stack.sql<{ id: string; to_number: string }>(
        `SELECT id, to_number FROM messages WHERE campaign_id = $1`,
        [campaignId],
      );
      return found.length === n && found;
    },
    45_000,
  );

beforeAll(async () => {
  server = await CarrierTestServer.start();
  stack = await startStack({
    ...server.env,
    CARRIER_CALLBACK_BASE_URL: PUBLIC,
    CARRIER_POLL_INTERVAL_MS: '50',
    CARRIER_TIMEOUT_MS: '5000',
  });
  app = await startApp(stack, { CAMPAIGN_POLL_INTERVAL_MS: '100' });
  devices = new FakeService(stack.broker.brokers, 'devices');
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  const accounts = new FakeService(stack.broker.brokers, 'accounts');
  await accounts.organization(org, {
    slug: 'pinned',
    name: 'Pinned',
    status: accountsV1.OrganizationStatus.ACTIVE,
    defaultCountry: 'US',
  });
  await accounts.stop();
  await handled(stack, [await compliance.policy(org)]);
  // Two phones online; device-a's SIM 1 has SIM_NUMBER.
  await devices.device(org, 'device-a', {
    case: 'registered',
    value: {
      status: devicesV1.DeviceStatus.ONLINE,
      device: { name: 'a', sims: [{ slot: 1, maskedNumber: '+1******9999' }, { slot: 2 }] },
    },
  });
  await devices.device(org, 'device-b', {
    case: 'registered',
    value: { status: devicesV1.DeviceStatus.ONLINE, device: { name: 'b', sims: [{ slot: 1 }] } },
  });
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  await eventually(
    'organization and devices projected',
    async () =>
      (await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1`, [org])).length > 0 &&
      (await stack.sql(`SELECT 1 FROM devices WHERE org_id = $1 AND status = 'ONLINE'`, [org]))
        .length === 2,
    45_000,
  );
  owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  const CREATE = `mutation C($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id statusCallbackUrl } }`;
  const ADD = `mutation N($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }`;
  twilioAccount = (
    await owner.expectData<{ createCarrierAccount: typeof twilioAccount }>(CREATE, {
      input: {
        kind: 'TWILIO',
        name: 'Twilio',
        twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
      },
    })
  ).createCarrierAccount;
  await owner.expectData(ADD, {
    input: { carrierAccountId: twilioAccount.id, number: TWILIO_NUMBER, sms: true, mms: false },
  });
  const other = (
    await owner.expectData<{ createCarrierAccount: { id: string } }>(CREATE, {
      input: {
        kind: 'TWILIO',
        name: 'Other Twilio',
        twilio: { accountSid: `AC${'9'.repeat(32)}`, authToken: 'e'.repeat(32) },
      },
    })
  ).createCarrierAccount;
  await owner.expectData(ADD, {
    input: { carrierAccountId: other.id, number: OTHER_NUMBER, sms: true, mms: false },
  });
  poolId = await createRoute({ name: 'Phones', kind: 'DEVICE_POOL', priority: 1 });
  twilioRouteId = await createRoute({
    name: 'Twilio',
    kind: 'TWILIO',
    carrierAccountId: twilioAccount.id,
    priority: 2,
  });
  telnyxRouteId = await createRoute({
    name: 'Other (disabled)',
    kind: 'TWILIO',
    carrierAccountId: other.id,
    priority: 3,
    enabled: false,
  });
}, 120_000);

afterAll(async () => {
  await dispatches?.stop();
  await devices?.stop();
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
  await server?.stop();
});

describe('sendMessage with a routeId', () => {
  it('goes through the pinned Twilio route although the pool comes first, and does not fall over when Twilio fails it', async () => {
    const message = await send(owner, { to: CONTACT, body: 'pinned send', routeId: twilioRouteId });
    expect(message).toMatchObject({ route: 'TWILIO', status: 'QUEUED' });
    const request = await eventually(
      'sent to Twilio',
      async () => server.sent('twilio').find((r) => r.body.Body === 'pinned send'),
      30_000,
    );
    expect(request.violations).toEqual([]);
    expect(request.body).toMatchObject({ To: CONTACT, From: TWILIO_NUMBER });
    await eventually('SENT', async () => (await view(message.id)).status === 'SENT', 30_000);
    // Twilio reports it undelivered (30007, a failure another route could take): no pool.
    const params = twilioStatusParams(TWILIO_SID, request.externalId!, 'undelivered', {
      ErrorCode: '30007',
      To: CONTACT,
      From: TWILIO_NUMBER,
    });
    const response = await postTwilio(
      twilioAccount.statusCallbackUrl.replace(PUBLIC, app.url),
      TWILIO_TOKEN,
      params,
      {
        signature: twilio.getExpectedTwilioSignature(
          TWILIO_TOKEN,
          twilioAccount.statusCallbackUrl,
          params,
        ),
      },
    );
    expect(response.status).toBe(204);
    const failed = await eventually(
      'FAILED',
      async () => {
        const v = await view(message.id);
        return v.status === 'FAILED' && v;
      },
      30_000,
    );
    expect(failed.attempts).toEqual([
      { routeId: twilioRouteId, routeKind: 'TWILIO', outcome: 'FAILED' },
    ]);
    expect(
      await stack.sql(`SELECT 1 FROM outbox WHERE record_key = $1 AND topic = $2`, [
        message.id,
        Topics.devices.dispatch.name,
      ]),
    ).toHaveLength(0);
  });

  it('a pinned route that may not send there: its own refusal, COUNTRY_NOT_ALLOWED', async () => {
    expect(
      await send(owner, { to: '+442071838750', body: 'abroad', routeId: twilioRouteId }),
    ).toMatchObject({ status: 'REJECTED', error: { code: 'COUNTRY_NOT_ALLOWED' } });
  });

  it('a full pinned route: DAILY_CAP_REACHED, or with routeFallback the next route', async () => {
    await updateRoute(twilioRouteId, { dailyCapSegments: 0 });
    try {
      expect(
        await send(owner, { to: CONTACT, body: 'capped', routeId: twilioRouteId }),
      ).toMatchObject({ status: 'REJECTED', error: { code: 'DAILY_CAP_REACHED' } });
      const fellOver = await send(owner, {
        to: CONTACT,
        body: 'capped, fallback',
        routeId: twilioRouteId,
        routeFallback: true,
      });
      expect(fellOver).toMatchObject({ route: 'DEVICE', status: 'QUEUED' });
      expect((await view(fellOver.id)).attempts).toMatchObject([{ routeId: poolId }]);
    } finally {
      await updateRoute(twilioRouteId, { clearDailyCap: true });
    }
  });

  it('pinned to the pool with a SIM number: that phone and SIM', async () => {
    const message = await send(owner, {
      to: CONTACT,
      body: 'from my SIM',
      routeId: poolId,
      from: SIM_NUMBER,
    });
    expect(message).toMatchObject({ route: 'DEVICE', status: 'QUEUED' });
    const dispatch = await dispatches.waitFor(
      (e) => e.key === message.id && e.message.command.case === 'dispatch',
      30_000,
    );
    expect(dispatch.message.command.value).toMatchObject({ deviceId: 'device-a', simNumber: 1 });
  });

  it('a scheduled message keeps its sender until it is dispatched', async () => {
    const message = await send(owner, {
      to: CONTACT,
      body: 'pinned later',
      routeId: twilioRouteId,
      scheduledAt: new Date(Date.now() + 2000).toISOString(),
    });
    expect(message.status).toBe('SCHEDULED');
    // The message row and its attempts are read by two statements: wait until both show the
    // dispatch (a read between them can see the attempt of a row read just before it).
    const sent = await eventually(
      'dispatched through Twilio',
      async () => {
        const v = await view(message.id);
        return v.attempts.length > 0 && v.route !== null && v;
      },
      30_000,
    );
    expect(sent).toMatchObject({
      route: 'TWILIO',
      attempts: [{ routeId: twilioRouteId, routeKind: 'TWILIO' }],
    });
  });

  it('refuses an unknown or disabled route and a from that is not of the route', async () => {
    const codes = (input: Record<string, unknown>) =>
      owner.errorCodes(SEND, { input: { to: CONTACT, body: 'x', ...input } });
    expect(await codes({ routeId: randomUUID() })).toEqual(['UNKNOWN_ROUTE']);
    expect(await codes({ routeId: 'not-a-route' })).toEqual(['UNKNOWN_ROUTE']);
    expect(await codes({ routeId: telnyxRouteId })).toEqual(['UNKNOWN_ROUTE']);
    expect(await codes({ routeId: twilioRouteId, from: OTHER_NUMBER })).toEqual(['UNKNOWN_SENDER']);
    expect(await codes({ routeId: twilioRouteId, from: SIM_NUMBER })).toEqual(['UNKNOWN_SENDER']);
    expect(await codes({ routeId: poolId, from: TWILIO_NUMBER })).toEqual(['UNKNOWN_SENDER']);
    expect(await codes({ routeId: twilioRouteId, from: TWILIO_NUMBER })).toEqual([]);
  });
});

describe('messaging.send.v1 with a route_id', () => {
  const command = async (body: string, routeId: string) => {
    const key = randomUUID();
    await devices.publish(Topics.messaging.send, `${org}:${key}`, org, {
      orgId: org,
      idempotencyKey: key,
      to: CONTACT,
      body,
      routeId,
      requestedBy: { type: commonV1.ActorType.SERVICE, id: 'test' },
    });
    const [{ id }] = await eventually(
      'the command handled',
      async () => {
        const found = await stack.sql<{ id: string }>(
          `SELECT id FROM messages WHERE idempotency_key = $1`,
          [key],
        );
        return found.length > 0 && found;
      },
      45_000,
    );
    return view(id);
  };

  it('takes the route the command names, or is REJECTED UNKNOWN_ROUTE', async () => {
    expect(await command('pinned command', twilioRouteId)).toMatchObject({
      route: 'TWILIO',
      attempts: [{ routeId: twilioRouteId }],
    });
    expect(await command('unknown route command', randomUUID())).toMatchObject({
      status: 'REJECTED',
      error: { code: 'UNKNOWN_ROUTE' },
    });
  });
});

describe('a campaign with a sender', () => {
  it('pinned to Twilio: every message through Twilio from its number, paced at one number', async () => {
    const { listId, numbers } = await listOf(3, 100);
    const created = (
      await owner.expectData<{ createCampaign: CampaignView }>(
        CREATE_CAMPAIGN,
        campaignInput(listId, { routeId: twilioRouteId }),
      )
    ).createCampaign;
    expect(created.sender).toEqual({ routeId: twilioRouteId, from: null, fallback: false });
    const { previewCampaign } = await owner.expectData<{
      previewCampaign: {
        routeId: string;
        routeKind: string;
        plannedRatePerMinute: number;
        plannedRateLimitedBy: string;
        estimatedSeconds: number;
      };
    }>(
      `query($id: ID!) { previewCampaign(id: $id) { routeId routeKind plannedRatePerMinute plannedRateLimitedBy estimatedSeconds } }`,
      { id: created.id },
    );
    // One Twilio number at 1 segment a second: 60 a minute, 3 recipients in 3 s.
    expect(previewCampaign).toEqual({
      routeId: twilioRouteId,
      routeKind: 'TWILIO',
      plannedRatePerMinute: 60,
      plannedRateLimitedBy: 'CARRIER',
      estimatedSeconds: 3,
    });
    await act('start', created.id);
    const messages = await messagesOf(created.id, 3);
    for (const { id } of messages) {
      const v = await eventually(
        'sent by Twilio',
        async () => {
          const m = await view(id);
          return m.status === 'SENT' && m;
        },
        30_000,
      );
      expect(v).toMatchObject({
        route: 'TWILIO',
        attempts: [{ routeId: twilioRouteId, routeKind: 'TWILIO' }],
      });
    }
    const sent = server.sent('twilio').filter((r) => numbers.includes(String(r.body.To)));
    expect(sent.map((r) => r.body.To).sort()).toEqual([...numbers].sort());
    for (const request of sent) {
      expect(request.violations).toEqual([]);
      expect(request.body.From).toBe(TWILIO_NUMBER);
    }
    const done = await eventually(
      'planned rate',
      async () => {
        const c = await campaign(created.id);
        return c.progress.plannedRateLimitedBy === 'CARRIER' && c;
      },
      30_000,
    );
    expect(done.progress.plannedRatePerMinute).toBe(60);
  }, 90_000);

  it("pinned to the pool with a SIM's number: only that SIM sends, paced at one phone", async () => {
    const { listId } = await listOf(3, 200);
    const created = (
      await owner.expectData<{ createCampaign: CampaignView }>(
        CREATE_CAMPAIGN,
        campaignInput(listId, { routeId: poolId, from: SIM_NUMBER }),
      )
    ).createCampaign;
    expect(created.sender).toEqual({ routeId: poolId, from: SIM_NUMBER, fallback: false });
    // Without a sender the pool's two phones set it: 60 a minute.
    const plain = (
      await owner.expectData<{ createCampaign: CampaignView }>(
        CREATE_CAMPAIGN,
        campaignInput(listId, null),
      )
    ).createCampaign;
    const RATE = `query($id: ID!) { previewCampaign(id: $id) { routeId plannedRatePerMinute plannedRateLimitedBy } }`;
    expect(
      (await owner.expectData<{ previewCampaign: unknown }>(RATE, { id: plain.id }))
        .previewCampaign,
    ).toEqual({ routeId: poolId, plannedRatePerMinute: 60, plannedRateLimitedBy: 'PHONES' });
    expect(
      (await owner.expectData<{ previewCampaign: unknown }>(RATE, { id: created.id }))
        .previewCampaign,
    ).toEqual({ routeId: poolId, plannedRatePerMinute: 30, plannedRateLimitedBy: 'PHONES' });
    await act('start', created.id);
    const messages = await messagesOf(created.id, 3);
    for (const { id } of messages) {
      const dispatch = await dispatches.waitFor(
        (e) => e.key === id && e.message.command.case === 'dispatch',
        30_000,
      );
      expect(dispatch.message.command.value).toMatchObject({ deviceId: 'device-a', simNumber: 1 });
    }
    const seen = await eventually(
      'planned rate',
      async () => {
        const c = await campaign(created.id);
        return c.progress.plannedRatePerMinute === 30 && c;
      },
      30_000,
    );
    expect(seen.progress.plannedRateLimitedBy).toBe('PHONES');
  }, 90_000);

  it('refuses an unknown or disabled route and a from that is not of the route', async () => {
    const { listId } = await listOf(1, 300);
    const codes = (sender: Record<string, unknown>) =>
      owner.errorCodes(CREATE_CAMPAIGN, campaignInput(listId, sender));
    expect(await codes({ routeId: randomUUID() })).toEqual(['UNKNOWN_ROUTE']);
    expect(await codes({ routeId: telnyxRouteId })).toEqual(['UNKNOWN_ROUTE']);
    expect(await codes({ routeId: twilioRouteId, from: OTHER_NUMBER })).toEqual(['UNKNOWN_SENDER']);
    expect(await codes({ routeId: poolId, from: TWILIO_NUMBER })).toEqual(['UNKNOWN_SENDER']);
  });

  it('pauses itself with UNKNOWN_ROUTE when its route is disabled while it runs; resumes once the route is back', async () => {
    // One message a minute: five recipients cannot all go before the route is disabled.
    const { listId } = await listOf(5, 400);
    const input = campaignInput(listId, { routeId: twilioRouteId });
    const created = (
      await owner.expectData<{ createCampaign: CampaignView }>(CREATE_CAMPAIGN, {
        input: { ...input.input, ratePerMinute: 1 },
      })
    ).createCampaign;
    await act('start', created.id);
    await updateRoute(twilioRouteId, { enabled: false });
    try {
      const STATE = `query($id: ID!) { campaign(id: $id) { status pausedReason progress { messagesCreated sendErrors } } }`;
      type State = {
        status: string;
        pausedReason: string | null;
        progress: { messagesCreated: number; sendErrors: number };
      };
      const state = async () =>
        (await owner.expectData<{ campaign: State }>(STATE, { id: created.id })).campaign;
      const paused = await eventually(
        'paused by the runner',
        async () => {
          const c = await state();
          return c.status === 'PAUSED' && c;
        },
        30_000,
      );
      // Paused, not failing its recipients one by one.
      expect(paused.pausedReason).toBe('UNKNOWN_ROUTE');
      expect(paused.progress.sendErrors).toBe(0);
      expect(paused.progress.messagesCreated).toBeLessThan(5);
      expect(
        await owner.errorCodes(`mutation($id: ID!) { resumeCampaign(id: $id) { id } }`, {
          id: created.id,
        }),
      ).toEqual(['UNKNOWN_ROUTE']);
      expect((await state()).status).toBe('PAUSED');

      await updateRoute(twilioRouteId, { enabled: true });
      await act('resume', created.id);
      const resumed = await state();
      expect(resumed).toMatchObject({ status: 'RUNNING', pausedReason: null });
    } finally {
      await updateRoute(twilioRouteId, { enabled: true });
      await owner.errorCodes(`mutation($id: ID!) { cancelCampaign(id: $id) { id } }`, {
        id: created.id,
      });
    }
  }, 90_000);
});
