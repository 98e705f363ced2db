// Routing with failover end to end (issue 12): customers set up routes and carrier accounts
// through the gateway; carriers are a local Twilio + Telnyx that answer as the vendors document
// and refuse any request their OpenAPI specs do not allow (started by e2e/global-setup), whose
// status callbacks the test signs as the vendors do; phones are simulated SMSGate apps.
// - no online phone: the device pool's deadline fails the message over to Twilio, DELIVERED by
//   Twilio's status callback;
// - a Twilio 30007 on a campaign message fails over to the device pool, the phone delivers it;
// - a destination outside the allow-list is REJECTED;
// - an MMS is sent through Telnyx.
import twilio from 'twilio';
import type { GraphQLClient } from '@switchboard/testing';
import {
  postTelnyx,
  postTwilio,
  telnyxKeyPair,
  telnyxStatusEvent,
  twilioStatusParams,
} from '../services/messaging/test/support/carrier-test-server';
import { platform } from './platform';
import { eventProducer, sendCampaignCommand } from './send-commands';
import { customer, until, updateCompliancePolicy } from './support';
import { enrollPhone, stopPhones } from './phones';
import { paidTopUpSession, postStripeEvent, stripeCustomerOf, stripeEvent } from './stripe-events';

const p = platform();
const commands = eventProducer();

const CONTACT = '+14155550123';
const TWILIO_SID = `AC${'5e6f7a8b'.repeat(4)}`;
const TWILIO_TOKEN = '2a3b4c5d6e7f80918273645546372819';
const TWILIO_NUMBER = '+14155550150';
const TELNYX_NUMBER = '+14155550151';

afterAll(async () => {
  await stopPhones();
  await commands.stop();
});

/** A callback URL as the carrier sees it, on messaging's own address (the ingress's job). */
const local = (publicUrl: string) =>
  publicUrl.replace(
    p.carrierCallbackBaseUrl ?? 'https://hooks.switchboard.test',
    p.url('messaging'),
  );

const MESSAGE = `id status route attempt externalId error { code rawCode }
  attempts { attempt routeKind outcome errorCode errorRawCode }`;
interface MessageView {
  id: string;
  status: string;
  route: string | null;
  attempt: number;
  externalId: string | null;
  error: { code: string; rawCode: string | null } | null;
  attempts: { attempt: number; routeKind: string; outcome: string; errorRawCode: string | null }[];
}

const message = async (api: GraphQLClient, id: string) =>
  (
    await api.expectData<{ message: MessageView }>(
      `query($id: ID!) { message(id: $id) { ${MESSAGE} } }`,
      {
        id,
      },
    )
  ).message;

const send = async (api: GraphQLClient, input: Record<string, unknown>) =>
  (
    await api.expectData<{ sendMessage: MessageView }>(
      `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`,
      { input },
    )
  ).sendMessage;

const reaches = (api: GraphQLClient, id: string, test: (m: MessageView) => boolean, what: string) =>
  until(
    what,
    async () => {
      const m = await message(api, id);
      return test(m) && m;
    },
    60_000,
  );

async function createRoute(api: GraphQLClient, input: Record<string, unknown>): Promise<string> {
  const { createRoute } = await api.expectData<{ createRoute: { id: string } }>(
    'mutation($input: CreateRouteInput!) { createRoute(input: $input) { id } }',
    { input: { allowedCountries: ['US'], ...input } },
  );
  return createRoute.id;
}

async function twilioAccount(
  api: GraphQLClient,
): Promise<{ id: string; statusCallbackUrl: string }> {
  const { createCarrierAccount } = await api.expectData<{
    createCarrierAccount: { id: string; statusCallbackUrl: string };
  }>(
    'mutation($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id statusCallbackUrl } }',
    {
      input: {
        kind: 'TWILIO',
        name: 'Twilio',
        twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
      },
    },
  );
  return createCarrierAccount;
}

async function addNumber(api: GraphQLClient, carrierAccountId: string, number: string) {
  await api.expectData(
    'mutation($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }',
    { input: { carrierAccountId, number, sms: true, mms: true } },
  );
}

async function twilioStatus(
  account: { statusCallbackUrl: string },
  params: Record<string, string>,
): Promise<void> {
  const answer = await postTwilio(local(account.statusCallbackUrl), TWILIO_TOKEN, params, {
    signature: twilio.getExpectedTwilioSignature(TWILIO_TOKEN, account.statusCallbackUrl, params),
  });
  expect(answer.status).toBe(204);
}

/**
 * Tops up the organization's wallet the way a customer does (Checkout at the local Stripe, then
 * Stripe's signed webhook): an MMS is never paid from the free plan's allowance.
 */
async function fundWallet(api: GraphQLClient, orgId: string, amountMinor: number): Promise<void> {
  const { createTopUpCheckout } = await api.expectData<{ createTopUpCheckout: { id: string } }>(
    `mutation { createTopUpCheckout(amountMinor: "${amountMinor}") { id } }`,
  );
  const customerId = await stripeCustomerOf(orgId);
  await postStripeEvent(
    stripeEvent(
      'checkout.session.completed',
      paidTopUpSession({ id: createTopUpCheckout.id, orgId, customerId, amountMinor }),
      `evt_routing_${orgId.slice(0, 8)}`,
    ),
  );
  await until('the top-up', async () => {
    const { wallet } = await api.expectData<{ wallet: { balance: { amountMinor: string } } }>(
      '{ wallet { balance { amountMinor } } }',
    );
    return wallet.balance.amountMinor === String(amountMinor);
  });
}

describe('routing with failover across phones and carriers', () => {
  it('no online phone: the device pool fails over to Twilio by its deadline; DELIVERED by the status callback', async () => {
    const { api } = await customer('routing-noone');
    const account = await twilioAccount(api);
    await addNumber(api, account.id, TWILIO_NUMBER);
    await createRoute(api, {
      name: 'Phones',
      kind: 'DEVICE_POOL',
      priority: 1,
      deviceFailoverSeconds: 1,
    });
    await createRoute(api, {
      name: 'Twilio',
      kind: 'TWILIO',
      carrierAccountId: account.id,
      priority: 2,
    });
    const sent = await send(api, { to: CONTACT, body: 'nobody is online' });
    expect(sent).toMatchObject({ status: 'QUEUED', route: 'DEVICE' });
    const onTwilio = await reaches(
      api,
      sent.id,
      (m) => m.route === 'TWILIO' && m.status === 'SENT' && !!m.externalId,
      'the message SENT by Twilio',
    );
    await twilioStatus(
      account,
      twilioStatusParams(TWILIO_SID, onTwilio.externalId!, 'delivered', {
        To: CONTACT,
        From: TWILIO_NUMBER,
      }),
    );
    const delivered = await reaches(api, sent.id, (m) => m.status === 'DELIVERED', 'DELIVERED');
    expect(delivered).toMatchObject({ route: 'TWILIO', error: null });
    expect(delivered.attempts.map((a) => [a.routeKind, a.outcome])).toEqual([
      ['DEVICE_POOL', expect.stringMatching(/^(WITHDRAWN|FAILED)$/)],
      ['TWILIO', 'SUCCEEDED'],
    ]);
  });

  it('a Twilio 30007 on a campaign message fails over to the device pool; the phone delivers it', async () => {
    const { api, orgId } = await customer('routing-30007');
    await updateCompliancePolicy(api, orgId, 'quietHoursEnabled: false');
    await enrollPhone(api);
    const account = await twilioAccount(api);
    await addNumber(api, account.id, TWILIO_NUMBER.replace(/0$/, '2'));
    await createRoute(api, {
      name: 'Twilio',
      kind: 'TWILIO',
      carrierAccountId: account.id,
      priority: 1,
    });
    await createRoute(api, { name: 'Phones', kind: 'DEVICE_POOL', priority: 2 });
    const key = await sendCampaignCommand(commands, orgId, CONTACT, 'Spring sale!');
    const onTwilio = await until(
      'the campaign message SENT by Twilio',
      async () => {
        const { messages } = await api.expectData<{
          messages: { edges: { node: MessageView & { idempotencyKey: string } }[] };
        }>(`{ messages(first: 20) { edges { node { idempotencyKey ${MESSAGE} } } } }`);
        const m = messages.edges.map((e) => e.node).find((n) => n.idempotencyKey === key);
        return m?.route === 'TWILIO' && m.status === 'SENT' && m.externalId ? m : undefined;
      },
      60_000,
    );
    await twilioStatus(
      account,
      twilioStatusParams(TWILIO_SID, onTwilio.externalId!, 'undelivered', {
        ErrorCode: '30007',
        To: CONTACT,
      }),
    );
    const delivered = await reaches(api, onTwilio.id, (m) => m.status === 'DELIVERED', 'DELIVERED');
    expect(delivered).toMatchObject({ route: 'DEVICE', attempt: 2 });
    expect(delivered.attempts).toMatchObject([
      { routeKind: 'TWILIO', outcome: 'FAILED', errorRawCode: '30007' },
      { routeKind: 'DEVICE_POOL', outcome: 'SUCCEEDED' },
    ]);
  });

  it('a destination outside the allow-list is REJECTED; an MMS is sent through Telnyx', async () => {
    const { api, orgId } = await customer('routing-mms');
    await fundWallet(api, orgId, 2500);
    const key = telnyxKeyPair();
    const { createCarrierAccount: telnyx } = await api.expectData<{
      createCarrierAccount: { id: string; statusCallbackUrl: string };
    }>(
      'mutation($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id statusCallbackUrl } }',
      {
        input: {
          kind: 'TELNYX',
          name: 'Telnyx',
          telnyx: { apiKey: `KEY${'E'.repeat(20)}_e2e`, webhookPublicKey: key.publicKeyBase64 },
        },
      },
    );
    await addNumber(api, telnyx.id, TELNYX_NUMBER);
    await createRoute(api, { name: 'Phones', kind: 'DEVICE_POOL', priority: 1 });
    await createRoute(api, {
      name: 'Telnyx',
      kind: 'TELNYX',
      carrierAccountId: telnyx.id,
      priority: 2,
    });

    expect(await send(api, { to: '+442071838750', body: 'premium-rate bait' })).toMatchObject({
      status: 'REJECTED',
      route: null,
      error: { code: 'COUNTRY_NOT_ALLOWED' },
    });

    // Messaging learns of the top-up through billing.quota.v1: until then an MMS is refused
    // QUOTA_EXCEEDED (stored REJECTED); the first one after it goes.
    const mms = await until(
      'an MMS accepted',
      async () => {
        const m = await send(api, {
          to: CONTACT,
          body: 'Your receipt',
          mediaUrls: ['https://cdn.example.com/receipt.png'],
        });
        return m.error?.code === 'QUOTA_EXCEEDED' ? undefined : m;
      },
      60_000,
    );
    expect(mms).toMatchObject({ status: 'QUEUED', route: 'TELNYX', error: null });
    const sent = await reaches(
      api,
      mms.id,
      (m) => m.status === 'SENT' && !!m.externalId,
      'SENT by Telnyx',
    );
    const answer = await postTelnyx(
      local(telnyx.statusCallbackUrl),
      key.privateKey,
      telnyxStatusEvent(sent.externalId!, CONTACT, 'delivered'),
    );
    expect(answer.status).toBeLessThan(300);
    const delivered = await reaches(api, mms.id, (m) => m.status === 'DELIVERED', 'DELIVERED');
    expect(delivered.attempts).toMatchObject([{ routeKind: 'TELNYX', outcome: 'SUCCEEDED' }]);
  });
});
