// Settable message priority (issue 13, "Priority"), against real PostgreSQL and Kafka and a
// local Twilio (its requests checked against Twilio's OpenAPI spec): sendMessage, sendMessages
// and createCampaign take a priority within limits (typed INVALID_PRIORITY outside them; an API
// caller never gets the compliance replies' level), it is kept on the message, handed to the
// devices with the dispatch command, and the carrier dispatch worker hands out higher priority
// first: a transactional send overtakes campaign-priority sends already queued.
import { randomUUID } from 'node:crypto';
import { accountsV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { CarrierDispatchWorker } from '../src/carriers/carrier-dispatch.worker';
import { CarrierTestServer } from './support/carrier-test-server';
import { FakeService } from './support/fake-devices';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const TWILIO_SID = `AC${'0a1b2c3d'.repeat(4)}`;
const TWILIO_TOKEN = '1f2e3d4c5b6a79889786a5b4c3d2e1f0';
const TWILIO_NUMBER = '+14155550100';

let server: CarrierTestServer;
let stack: MessagingStack;
let app: RunningApp;
let owner: GraphQLClient;
let dispatches: EventWatcher<typeof Topics.devices.dispatch.schema>;
const org = randomUUID();
/** A second organization without routes: its sends go to the device pool (dispatch commands). */
const poolOrg = randomUUID();

const SEND = `mutation S($input: SendMessageInput!) { sendMessage(input: $input) { id status priority } }`;
const SEND_MANY = `mutation M($inputs: [SendMessageInput!]!) { sendMessages(inputs: $inputs) {
  results { message { id priority } error { code } } } }`;

const sendOne = async (client: GraphQLClient, input: Record<string, unknown>) =>
  (
    await client.expectData<{ sendMessage: { id: string; status: string; priority: number } }>(
      SEND,
      { input },
    )
  ).sendMessage;

beforeAll(async () => {
  server = await CarrierTestServer.start();
  stack = await startStack({ ...server.env, CARRIER_CALLBACK_BASE_URL: 'https://hooks.test' });
  // The worker is driven by the test (runDue), so the queue is seen before anything is sent.
  app = await startApp(stack, { CARRIER_WORKER_ENABLED: 'false' });
  const accounts = new FakeService(stack.broker.brokers, 'accounts');
  for (const id of [org, poolOrg]) {
    await accounts.organization(id, {
      slug: `prio-${id.slice(0, 8)}`,
      name: 'Priorities',
      status: accountsV1.OrganizationStatus.ACTIVE,
      defaultCountry: 'US',
    });
  }
  await accounts.stop();
  dispatches = await EventWatcher.start(Topics.devices.dispatch, stack.broker.brokers);
  await eventually(
    'organizations projected',
    async () =>
      (
        await stack.sql(`SELECT 1 FROM organizations WHERE org_id = ANY($1::uuid[])`, [
          [org, poolOrg],
        ])
      ).length === 2,
    45_000,
  );
  owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  const account = (
    await owner.expectData<{ createCarrierAccount: { id: string } }>(
      `mutation C($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id } }`,
      {
        input: {
          kind: 'TWILIO',
          name: 'Twilio',
          twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
        },
      },
    )
  ).createCarrierAccount;
  await owner.expectData(
    `mutation N($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }`,
    { input: { carrierAccountId: account.id, number: TWILIO_NUMBER, sms: true, mms: false } },
  );
  await owner.expectData(
    `mutation R($input: CreateRouteInput!) { createRoute(input: $input) { id } }`,
    { input: { name: 'Twilio', kind: 'TWILIO', carrierAccountId: account.id, priority: 1 } },
  );
}, 120_000);

afterAll(async () => {
  await dispatches?.stop();
  await app?.close();
  await stack?.stop();
  await server?.stop();
});

describe('validation', () => {
  it.each([
    ['the compliance replies’ level', 90],
    ['above the scale', 101],
    ['negative', -1],
  ])('refuses a send priority %s with INVALID_PRIORITY, storing nothing', async (_, priority) => {
    const before = await stack.sql(`SELECT count(*)::int AS n FROM messages`);
    expect(
      await owner.errorCodes(SEND, {
        input: { to: '+14155550123', body: 'x', priority },
      }),
    ).toEqual(['INVALID_PRIORITY']);
    expect(await stack.sql(`SELECT count(*)::int AS n FROM messages`)).toEqual(before);
  });

  it('gives each input of sendMessages its own result', async () => {
    const { sendMessages } = await owner.expectData<{
      sendMessages: {
        results: { message: { priority: number } | null; error: { code: string } | null }[];
      };
    }>(SEND_MANY, {
      inputs: [
        { to: '+14155550124', body: 'ok', priority: 70, idempotencyKey: randomUUID() },
        { to: '+14155550125', body: 'too high', priority: 95 },
        { to: '+14155550126', body: 'default', idempotencyKey: randomUUID() },
      ],
    });
    expect(sendMessages.results).toEqual([
      { message: expect.objectContaining({ priority: 70 }), error: null },
      { message: null, error: { code: 'INVALID_PRIORITY' } },
      { message: expect.objectContaining({ priority: 50 }), error: null },
    ]);
  });

  it('keeps a campaign below the transactional default, and shows its priority', async () => {
    const list = (
      await owner.expectData<{ createContactList: { id: string } }>(
        `mutation { createContactList(input: { name: "Prio" }) { id } }`,
      )
    ).createContactList;
    const CREATE = `mutation C($input: CreateCampaignInput!) { createCampaign(input: $input) { id priority } }`;
    const input = { name: 'Promo', listId: list.id, template: 'Hi', ratePerMinute: 60 };
    expect(await owner.errorCodes(CREATE, { input: { ...input, priority: 50 } })).toEqual([
      'INVALID_PRIORITY',
    ]);
    const created = await owner.expectData<{ createCampaign: { priority: number } }>(CREATE, {
      input: { ...input, priority: 30 },
    });
    expect(created.createCampaign.priority).toBe(30);
    const byDefault = await owner.expectData<{ createCampaign: { priority: number } }>(CREATE, {
      input,
    });
    expect(byDefault.createCampaign.priority).toBe(10);
  });
});

describe('queues', () => {
  it('hands the priority to the devices with the dispatch command', async () => {
    const client = app.gql(await stack.tokens.user(poolOrg, 'CUSTOMER'));
    const high = await sendOne(client, { to: '+14155550130', body: 'otp', priority: 80 });
    const plain = await sendOne(client, { to: '+14155550131', body: 'hello' });
    const priorityOf = async (id: string) => {
      const e = await dispatches.waitFor(
        (d) => d.key === id && d.message.command.case === 'dispatch',
        30_000,
      );
      return e.message.command.case === 'dispatch' ? e.message.command.value.priority : -1;
    };
    expect(await priorityOf(high.id)).toBe(80);
    expect(await priorityOf(plain.id)).toBe(50);
  });

  it('the carrier worker sends a transactional message before campaign-priority ones queued earlier', async () => {
    const worker = app.app.get(CarrierDispatchWorker);
    // What earlier tests queued goes first, so the queue holds only this test's sends.
    while ((await worker.runDue(50)) > 0);
    const low: string[] = [];
    for (let i = 0; i < 5; i++) {
      low.push((await sendOne(owner, { to: '+14155550140', body: `bulk ${i}`, priority: 10 })).id);
    }
    const otp = await sendOne(owner, { to: '+14155550141', body: 'your code 123456' });
    expect(otp.priority).toBe(50);
    const queued = await stack.sql<{ message_id: string; priority: number }>(
      `SELECT message_id, priority FROM carrier_dispatch_queue WHERE message_id = ANY($1::uuid[])`,
      [[...low, otp.id]],
    );
    expect(queued).toHaveLength(6);
    const sentBefore = server.sent('twilio').length;
    expect(await worker.runDue(1)).toBe(1);
    await eventually('one Twilio request', async () => server.sent('twilio').length > sentBefore);
    const first = server.sent('twilio')[sentBefore];
    expect(first.body.Body).toBe('your code 123456');
    expect(first.violations).toEqual([]);
    // The rest go after it, oldest first.
    expect(await worker.runDue(5)).toBe(5);
    await eventually('all six sent', async () => server.sent('twilio').length >= sentBefore + 6);
  });
});
