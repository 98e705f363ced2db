// Inbound MMS media against real PostgreSQL and Kafka, with a local HTTPS media host: a Twilio
// inbound MMS's media are fetched by the media worker (the Twilio media URL with the account's
// basic auth, following Twilio's redirect), stored per organization and served through a
// short-lived signed link that expires; a private-IP URL, an oversized medium and a
// content type not allowed are refused (FAILED, nothing stored); a privacy erasure of the
// number deletes them (and the export carries them); the retention's body step deletes them.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { fromBinary } from '@bufbuild/protobuf';
import { accountsV1, messagingV1 } from '@switchboard/contracts';
import { inTenantTransaction } from '@switchboard/tenancy';
import { ManualClock, type GraphQLClient } from '@switchboard/testing';
import { MessagingPrivacyRepository } from '../src/privacy/messaging-privacy.repository';
import { MessageRetentionRepository } from '../src/retention/message-retention.repository';
import { FakeService } from './support/fake-devices';
import { get, send } from './support/messaging-api';
import { postTwilio, twilioInboundParams } from './support/carrier-test-server';
import { MediaTestServer } from './support/media-server';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const PUBLIC = 'https://hooks.switchboard.test';
const PUBLIC_LINKS = 'https://switchboard.test';
const TWILIO_SID = `AC${'b2c3d4e5'.repeat(4)}`;
const TWILIO_TOKEN = '1f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TWILIO_NUMBER = '+14155550110';
const CONTACT = '+14155550133';
const MAX_BYTES = 10_000;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);

const MEDIA = `media { position url status contentType size storedUrl error }`;
const GET_MEDIA = `query M($id: ID!) { message(id: $id) { id ${MEDIA} } }`;

interface MediaView {
  position: number;
  url: string;
  status: string;
  contentType: string | null;
  size: number | null;
  storedUrl: string | null;
  error: string | null;
}

let media: MediaTestServer;
let stack: MessagingStack;
let app: RunningApp;
let accounts: FakeService;
let owner: GraphQLClient;
const clock = new ManualClock();
const org = randomUUID();
let inboundUrl: string;
let signedInboundUrl: string;

async function mediaOf(id: string): Promise<MediaView[]> {
  return (await owner.expectData<{ message: { media: MediaView[] } }>(GET_MEDIA, { id })).message
    .media;
}

/** Posts a signed Twilio inbound MMS; returns the stored message's id. */
async function receiveMms(body: string, urls: string[]): Promise<string> {
  const params = twilioInboundParams(TWILIO_SID, CONTACT, TWILIO_NUMBER, body, urls);
  const answer = await postTwilio(inboundUrl, TWILIO_TOKEN, params, {
    signedUrl: signedInboundUrl,
  });
  expect(answer.status).toBe(200);
  return eventually(`inbound "${body}"`, async () => {
    const [row] = await stack.sql<{ id: string }>(
      `SELECT id FROM messages WHERE direction = 'INBOUND' AND body = $1`,
      [body],
    );
    return row?.id;
  });
}

async function settled(id: string, count: number): Promise<MediaView[]> {
  return eventually('media fetched', async () => {
    const found = await mediaOf(id);
    if (found.length === count && found.every((m) => m.status !== 'PENDING')) return found;
    const rows = await stack.sql(
      `SELECT id, status, error FROM message_media WHERE message_id = $1`,
      [id],
    );
    const msg = await stack.sql(`SELECT direction, media_urls FROM messages WHERE id = $1`, [id]);
    throw new Error(JSON.stringify({ found, rows, msg }));
  });
}

/** The MEDIA_STORED events the service wrote for a message (its outbox keeps them). */
async function mediaStoredEvents(id: string): Promise<messagingV1.MessageEvent[]> {
  const rows = await stack.sql<{ payload: Buffer }>(
    `SELECT payload FROM outbox WHERE topic = 'messaging.message.v1' AND record_key = $1
      ORDER BY id`,
    [id],
  );
  return rows
    .map((r) => fromBinary(messagingV1.MessageEventSchema, r.payload))
    .filter((e) => e.kind === messagingV1.MessageEventKind.MEDIA_STORED);
}

/** The app's own address for a public link (what the gateway does). */
const local = (link: string) => link.replace(PUBLIC_LINKS, app.url);

beforeAll(async () => {
  media = await MediaTestServer.start();
  stack = await startStack({
    // Twilio's media URLs are on its API origin: here, the local media host.
    TWILIO_API_BASE_URL: media.url,
    CARRIER_CALLBACK_BASE_URL: PUBLIC,
    PUBLIC_DOWNLOAD_BASE_URL: PUBLIC_LINKS,
    MEDIA_ALLOWED_ADDRESSES: '127.0.0.1',
    MEDIA_EXTRA_CA: media.ca,
    MEDIA_MAX_BYTES: String(MAX_BYTES),
    MEDIA_POLL_INTERVAL_MS: '50',
    MEDIA_TIMEOUT_MS: '5000',
    MEDIA_LINK_TTL_SECONDS: '60',
    CARRIER_POLL_INTERVAL_MS: '50',
  });
  await stack.sql(`CREATE POLICY test_owner_reads ON message_media TO CURRENT_USER USING (true)`);
  app = await startApp(stack, {}, { clock });
  accounts = new FakeService(stack.broker.brokers, 'accounts');
  await accounts.organization(org, {
    slug: 'media',
    name: 'Media',
    status: accountsV1.OrganizationStatus.ACTIVE,
    defaultCountry: 'US',
  });
  await eventually('organization projected', async () => {
    const rows = await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1`, [org]);
    return rows.length > 0;
  });
  owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  const account = (
    await owner.expectData<{ createCarrierAccount: { id: string; inboundWebhookUrl: string } }>(
      `mutation C($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id inboundWebhookUrl } }`,
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
    { input: { carrierAccountId: account.id, number: TWILIO_NUMBER, sms: true, mms: true } },
  );
  signedInboundUrl = account.inboundWebhookUrl;
  await owner.expectData(
    `mutation R($input: CreateRouteInput!) { createRoute(input: $input) { id } }`,
    { input: { name: 'Twilio', kind: 'TWILIO', carrierAccountId: account.id, priority: 1 } },
  );
  inboundUrl = account.inboundWebhookUrl.replace(PUBLIC, app.url);
}, 120_000);

afterAll(async () => {
  await accounts?.stop();
  await app?.close();
  await stack?.stop();
  await media?.stop();
});

describe('inbound MMS media', () => {
  let messageId: string;
  let stored: MediaView;

  it('fetches and stores a Twilio medium (basic auth, redirect); refuses private, oversized and unlisted media', async () => {
    const basic = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
    const twilioMedia = media.route(`/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM1/Media/ME1`, {
      status: 307,
      requireAuthorization: basic,
      headers: { location: '/s3/ME1' },
    });
    media.route('/s3/ME1', { contentType: 'image/jpeg', body: JPEG });
    const big = media.route('/big.jpg', {
      contentType: 'image/jpeg',
      body: Buffer.alloc(MAX_BYTES + 1, 1),
    });
    const html = media.route('/page.html', { contentType: 'text/html', body: Buffer.from('<p>') });
    messageId = await receiveMms('MMS with media', [
      twilioMedia,
      'https://10.1.2.3/secret.jpg',
      big,
      html,
    ]);
    const found = await settled(messageId, 4);
    expect(found.map((m) => [m.position, m.status, m.error?.split(':')[0] ?? null])).toEqual([
      [0, 'STORED', null],
      [1, 'FAILED', 'FORBIDDEN_ADDRESS'],
      [2, 'FAILED', 'TOO_LARGE'],
      [3, 'FAILED', 'UNSUPPORTED_TYPE'],
    ]);
    stored = found[0];
    expect(stored).toMatchObject({
      url: twilioMedia,
      contentType: 'image/jpeg',
      size: JPEG.length,
    });
    expect(stored.storedUrl).toMatch(new RegExp(`^${PUBLIC_LINKS}/media/[0-9a-f-]{36}\\?token=`));
    expect(found.slice(1).every((m) => m.storedUrl === null)).toBe(true);
    // The credentials went to the Twilio URL only; the private address was never contacted.
    expect(
      media.requests.find((r) => r.path.endsWith('/ME1') && !r.path.startsWith('/s3'))
        ?.authorization,
    ).toBe(basic);
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_media WHERE message_id = $1 AND data IS NOT NULL`,
      [messageId],
    );
    expect(n).toBe(1);
    const [queued] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM media_fetch_queue`,
    );
    expect(queued.n).toBe(0);
    // Settled: one MEDIA_STORED event, after RECEIVED, with a link to the stored medium only.
    const [event, ...more] = await eventually('MEDIA_STORED', async () => {
      const events = await mediaStoredEvents(messageId);
      return events.length > 0 && events;
    });
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      direction: messagingV1.Direction.INBOUND,
      status: messagingV1.MessageStatus.RECEIVED,
      body: 'MMS with media',
      sequence: 2,
    });
    expect(event.mediaLinks).toHaveLength(1);
    expect(event.mediaLinks[0]).toMatch(
      new RegExp(
        `^${PUBLIC_LINKS}/media/${stored.storedUrl!.split('/media/')[1].split('?')[0]}\\?token=`,
      ),
    );
    const linked = await fetch(local(event.mediaLinks[0]));
    expect(Buffer.from(await linked.arrayBuffer()).equals(JPEG)).toBe(true);
  });

  it('media fetched at the same time: exactly one MEDIA_STORED, links in the message order', async () => {
    const bodies = [1, 2, 3, 4].map((n) => Buffer.concat([JPEG, Buffer.from([n])]));
    const urls = bodies.map((body, n) =>
      media.route(`/many/${n}.jpg`, { contentType: 'image/jpeg', body }),
    );
    const id = await receiveMms('MMS with four media', urls);
    await settled(id, 4);
    const events = await eventually('MEDIA_STORED', async () => {
      const found = await mediaStoredEvents(id);
      return found.length > 0 && found;
    });
    // The outbox is written in the fetches' transactions: once all are settled, it is final.
    expect(events).toHaveLength(1);
    const served = await Promise.all(
      events[0].mediaLinks.map(async (link) =>
        Buffer.from(await (await fetch(local(link))).arrayBuffer()),
      ),
    );
    expect(served.map((b) => b[b.length - 1])).toEqual([1, 2, 3, 4]);
    const [{ sequence }] = await stack.sql<{ sequence: number }>(
      `SELECT event_sequence::int AS sequence FROM messages WHERE id = $1`,
      [id],
    );
    expect(sequence).toBe(events[0].sequence);
  });

  it('serves the stored copy through its signed link until the link expires', async () => {
    const answer = await fetch(local(stored.storedUrl!));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await answer.arrayBuffer()).equals(JPEG)).toBe(true);
    const tampered = local(stored.storedUrl!).replace(
      /token=(.)/,
      (_, c) => `token=${c === 'A' ? 'B' : 'A'}`,
    );
    expect((await fetch(tampered)).status).toBe(403);
    clock.advance(61_000);
    try {
      const expired = await fetch(local(stored.storedUrl!));
      expect(expired.status).toBe(403);
      expect(await expired.json()).toMatchObject({ code: 'MEDIA_LINK_INVALID' });
    } finally {
      clock.reset();
    }
  });

  it('a privacy export carries the media; an erasure of the number deletes them', async () => {
    const other = await receiveMms('MMS to erase', [
      media.route('/erase.png', { contentType: 'image/png', body: Buffer.from('png-bytes') }),
    ]);
    await settled(other, 1);
    const dataSource = app.app.get(DataSource);
    const privacy = app.app.get(MessagingPrivacyRepository);
    const exported = await inTenantTransaction(dataSource, org, (tx) =>
      privacy.messages(tx, { phoneNumber: CONTACT }, null, 100),
    );
    const row = exported.find((m) => m.id === other)!;
    expect(row.media).toEqual([
      expect.objectContaining({
        status: 'STORED',
        contentType: 'image/png',
        dataBase64: Buffer.from('png-bytes').toString('base64'),
      }),
    ]);
    await inTenantTransaction(dataSource, org, (tx) =>
      privacy.eraseMessages(tx, CONTACT, '+10000000000', new Date(), 100),
    );
    const left = await stack.sql(`SELECT 1 FROM message_media WHERE org_id = $1`, [org]);
    expect(left).toEqual([]);
    expect(await mediaOf(other)).toEqual([]);
  });

  it("the retention's body step deletes stored media with the body", async () => {
    const kept = await receiveMms('MMS for retention', [
      media.route('/keep.gif', { contentType: 'image/gif', body: Buffer.from('GIF89a') }),
    ]);
    const [medium] = await settled(kept, 1);
    expect(medium.status).toBe('STORED');
    const dataSource = app.app.get(DataSource);
    const retention = app.app.get(MessageRetentionRepository);
    const redacted = await inTenantTransaction(dataSource, org, (tx) =>
      retention.redactBodies(tx, new Date(Date.now() + 86_400_000), new Date(), 100),
    );
    expect(redacted).toBeGreaterThan(0);
    expect(await stack.sql(`SELECT 1 FROM message_media WHERE message_id = $1`, [kept])).toEqual(
      [],
    );
    expect(await mediaOf(kept)).toEqual([]);
    const gone = await fetch(local(medium.storedUrl!));
    expect(gone.status).toBe(404);
  });
});

describe('outbound MMS media checked before the carrier', () => {
  it('fails an MMS whose medium is too large (MEDIA_TOO_LARGE) or gone (MEDIA_UNREACHABLE); the carrier is never asked', async () => {
    const big = media.route('/out/big.jpg', {
      contentType: 'image/jpeg',
      body: Buffer.alloc(MAX_BYTES + 1, 2),
    });
    const cases: [string[], string][] = [
      [
        [media.route('/out/ok.jpg', { contentType: 'image/jpeg', body: JPEG }), big],
        'MEDIA_TOO_LARGE',
      ],
      [[`${media.url}/out/missing.jpg`], 'MEDIA_UNREACHABLE'],
      [['https://10.9.8.7/private.jpg'], 'MEDIA_UNREACHABLE'],
    ];
    for (const [mediaUrls, code] of cases) {
      const sent = await send(owner, { to: CONTACT, body: `mms ${code}`, mediaUrls });
      expect(sent).toMatchObject({ route: 'TWILIO', status: 'QUEUED' });
      const failed = await eventually(`${code} failed`, async () => {
        const m = await get(owner, sent.id);
        return m.status === 'FAILED' && m;
      });
      expect(failed.error).toMatchObject({ code });
    }
    expect(media.requests.filter((r) => r.path.endsWith('/Messages.json'))).toEqual([]);
    expect(media.requests.some((r) => r.path === '/out/big.jpg')).toBe(true);
  });
});
