// Inbound MMS media end to end (issue 12): a Telnyx inbound MMS whose medium sits on a local
// HTTPS host is fetched by messaging's media worker and kept; the customer reads
// `Message.media` through the gateway and downloads the stored copy through the gateway's
// `/media/*` with the signed link — which stops working when it expires (the e2e platform's
// MEDIA_LINK_TTL_SECONDS is 10, e2e/global-setup.ts).
import { join } from 'node:path';
import { stackDir, type GraphQLClient } from '@switchboard/testing';
import {
  postTelnyx,
  telnyxInboundEvent,
  telnyxKeyPair,
} from '../services/messaging/test/support/carrier-test-server';
import { MediaTestServer, mediaTestTls } from '../services/messaging/test/support/media-server';
import { platform } from './platform';
import { customer, until } from './support';

const p = platform();
const local = (publicUrl: string) =>
  publicUrl.replace(
    p.carrierCallbackBaseUrl ?? 'https://hooks.switchboard.test',
    p.url('messaging'),
  );
/** The gateway's address for a public link (the link's path and query, unchanged). */
const viaGateway = (link: string) => {
  const url = new URL(link);
  return `${new URL(p.graphqlUrl!).origin}${url.pathname}${url.search}`;
};

const TELNYX_NUMBER = '+14155550171';
const CONTACT = '+14155550188';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');

interface MediaView {
  status: string;
  contentType: string | null;
  size: number | null;
  storedUrl: string | null;
}

describe('inbound MMS media through the platform', () => {
  let api: GraphQLClient;
  let media: MediaTestServer;
  const telnyxKey = telnyxKeyPair();

  beforeAll(async () => {
    media = await MediaTestServer.start(mediaTestTls(join(stackDir(), 'e2e-media-tls')));
    ({ api } = await customer('media'));
    const { createCarrierAccount } = await api.expectData<{
      createCarrierAccount: { id: string; inboundWebhookUrl: string };
    }>(
      'mutation($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id inboundWebhookUrl } }',
      {
        input: {
          kind: 'TELNYX',
          name: 'Telnyx',
          telnyx: {
            apiKey: 'KEY_e2e_media_0123456789abcdef',
            webhookPublicKey: telnyxKey.publicKeyBase64,
          },
        },
      },
    );
    await api.expectData(
      'mutation($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }',
      {
        input: {
          carrierAccountId: createCarrierAccount.id,
          number: TELNYX_NUMBER,
          sms: true,
          mms: true,
        },
      },
    );
    const mediaUrl = media.route('/telnyx/e2e.png', { contentType: 'image/png', body: PNG });
    const event = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'e2e MMS with a picture', [mediaUrl]);
    await until(
      'Telnyx inbound taken',
      async () =>
        (
          await postTelnyx(
            local(createCarrierAccount.inboundWebhookUrl),
            telnyxKey.privateKey,
            event,
          )
        ).status === 204,
    );
  }, 60_000);

  afterAll(async () => {
    await media?.stop();
  });

  it('stores the medium and serves it through the gateway with a signed link that expires', async () => {
    const stored = await until('medium stored', async () => {
      const { messages } = await api.expectData<{
        messages: { nodes: { body: string | null; media: MediaView[] }[] };
      }>(
        `{ messages(filter: { direction: INBOUND }, first: 20) { nodes { body media { status contentType size storedUrl } } } }`,
      );
      const message = messages.nodes.find((m) => m.body === 'e2e MMS with a picture');
      return message?.media[0]?.status === 'STORED' && message.media[0];
    });
    expect(stored).toMatchObject({ contentType: 'image/png', size: PNG.length });
    const link = viaGateway(stored.storedUrl!);
    expect(new URL(link).pathname).toMatch(/^\/media\//);
    const answer = await fetch(link);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await answer.arrayBuffer()).equals(PNG)).toBe(true);
    // The link works for MEDIA_LINK_TTL_SECONDS (10 s here), then never again.
    await until('link expired', async () => (await fetch(link)).status === 403, 30_000);
  }, 60_000);
});
