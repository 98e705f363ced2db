// Carrier callbacks end to end (issue 12): a customer adds a Twilio and a Telnyx account and
// their numbers through the gateway; inbound SMS/MMS from each carrier, signed as the vendors
// sign (locally made keys), land in the right conversation and are read back through the
// gateway; bad signatures, stale timestamps and replays are refused with nothing written.
// The carriers' public callback base is e2e/global-setup's; the test posts to messaging's own
// address (the ingress's job in production).
import {
  postTelnyx,
  postTwilio,
  telnyxInboundEvent,
  telnyxKeyPair,
  twilioInboundParams,
} from '../services/messaging/test/support/carrier-test-server';
import type { GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { customer, until } from './support';

const p = platform();
const local = (publicUrl: string) =>
  publicUrl.replace(
    p.carrierCallbackBaseUrl ?? 'https://hooks.switchboard.test',
    p.url('messaging'),
  );

const TWILIO_SID = `AC${'c0ffee42'.repeat(4)}`;
const TWILIO_TOKEN = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
const TWILIO_NUMBER = '+14155550160';
const TELNYX_NUMBER = '+14155550161';
const CONTACT = '+14155550177';

interface Account {
  id: string;
  statusCallbackUrl: string;
  inboundWebhookUrl: string;
}

async function account(api: GraphQLClient, input: Record<string, unknown>, number: string) {
  const { createCarrierAccount } = await api.expectData<{ createCarrierAccount: Account }>(
    'mutation($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id statusCallbackUrl inboundWebhookUrl } }',
    { input },
  );
  await api.expectData(
    'mutation($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }',
    { input: { carrierAccountId: createCarrierAccount.id, number, sms: true, mms: true } },
  );
  return createCarrierAccount;
}

interface InboundView {
  id: string;
  body: string | null;
  route: string;
  mediaUrls: string[];
  externalId: string | null;
  conversationId: string | null;
}

const inbound = async (api: GraphQLClient): Promise<InboundView[]> =>
  (
    await api.expectData<{ messages: { nodes: InboundView[] } }>(
      `{ messages(filter: { direction: INBOUND }, first: 50) { nodes { id body route mediaUrls externalId conversationId } } }`,
    )
  ).messages.nodes;

describe('carrier callbacks through the platform', () => {
  let api: GraphQLClient;
  let twilioAccount: Account;
  let telnyxAccount: Account;
  const telnyxKey = telnyxKeyPair();

  beforeAll(async () => {
    ({ api } = await customer('carriers'));
    twilioAccount = await account(
      api,
      {
        kind: 'TWILIO',
        name: 'Twilio',
        twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
      },
      TWILIO_NUMBER,
    );
    telnyxAccount = await account(
      api,
      {
        kind: 'TELNYX',
        name: 'Telnyx',
        telnyx: {
          apiKey: 'KEY_e2e_0123456789abcdefXYZ',
          webhookPublicKey: telnyxKey.publicKeyBase64,
        },
      },
      TELNYX_NUMBER,
    );
  }, 60_000);

  it('an inbound SMS from Twilio lands in the conversation of (contact, Twilio number)', async () => {
    const params = twilioInboundParams(TWILIO_SID, CONTACT, TWILIO_NUMBER, 'e2e reply via Twilio');
    // 503 until messaging has the new organization's projection: Twilio retries, so do we.
    await until('Twilio inbound taken', async () => {
      const answer = await postTwilio(
        local(twilioAccount.inboundWebhookUrl),
        TWILIO_TOKEN,
        params,
        {
          signedUrl: twilioAccount.inboundWebhookUrl,
        },
      );
      return answer.status === 200;
    });
    const message = (await inbound(api)).find((m) => m.body === 'e2e reply via Twilio')!;
    expect(message).toMatchObject({ route: 'TWILIO', externalId: params.MessageSid });
    const { conversation } = await api.expectData<{
      conversation: { contactNumber: string; ourNumber: string; unreadCount: number };
    }>('query($id: ID!) { conversation(id: $id) { contactNumber ourNumber unreadCount } }', {
      id: message.conversationId,
    });
    expect(conversation).toEqual({
      contactNumber: CONTACT,
      ourNumber: TWILIO_NUMBER,
      unreadCount: 1,
    });
  });

  it('an inbound MMS from Telnyx lands with its media in the Telnyx number’s conversation; a replay adds nothing', async () => {
    const event = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'e2e reply via Telnyx', [
      'https://media.example/e2e.jpg',
    ]);
    const url = local(telnyxAccount.inboundWebhookUrl);
    await until(
      'Telnyx inbound taken',
      async () => (await postTelnyx(url, telnyxKey.privateKey, event)).status === 204,
    );
    const all = await inbound(api);
    const message = all.find((m) => m.body === 'e2e reply via Telnyx')!;
    expect(message).toMatchObject({
      route: 'TELNYX',
      mediaUrls: ['https://media.example/e2e.jpg'],
    });
    const twilioThread = all.find((m) => m.body === 'e2e reply via Twilio')!.conversationId;
    expect(message.conversationId).not.toBe(twilioThread);

    expect((await postTelnyx(url, telnyxKey.privateKey, event)).status).toBe(204);
    expect(await inbound(api)).toHaveLength(all.length);
  });

  it('bad signatures and stale timestamps are refused (401) and nothing is written', async () => {
    const before = await inbound(api);
    const params = twilioInboundParams(TWILIO_SID, CONTACT, TWILIO_NUMBER, 'e2e forged');
    const twilioUrl = local(twilioAccount.inboundWebhookUrl);
    expect(
      (await postTwilio(twilioUrl, TWILIO_TOKEN, params, { signature: 'Zm9yZ2Vk' })).status,
    ).toBe(401);
    expect(
      (
        await postTwilio(twilioUrl, '0'.repeat(32), params, {
          signedUrl: twilioAccount.inboundWebhookUrl,
        })
      ).status,
    ).toBe(401);
    const event = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'e2e stale');
    const telnyxUrl = local(telnyxAccount.inboundWebhookUrl);
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await postTelnyx(telnyxUrl, telnyxKey.privateKey, event, { timestamp: now - 600 })).status,
    ).toBe(401);
    expect((await postTelnyx(telnyxUrl, telnyxKeyPair().privateKey, event)).status).toBe(401);
    expect(await inbound(api)).toEqual(before);
  });
});
