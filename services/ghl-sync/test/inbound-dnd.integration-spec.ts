// Inbound SMS into the GHL conversation (contact upserted by phone without tags, conversation
// found or created, the message posted with altId = our id) and DND both ways (STOP → GHL's
// SMS DND; GHL's ContactDndUpdate → compliance's opt-out request) — against the local GHL,
// every request checked against GHL's OpenAPI specs.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { eventually, type EventWatcher } from '@switchboard/testing';
import type { GhlTestServer } from './support/ghl-test-server';
import type { GhlSyncHarness } from './support/ghl-sync-harness';
import {
  startInstalledLocation,
  type InstalledFixture,
  type InstalledLocation,
} from './support/install';
import { appWebhook } from './support/webhooks';

describe('inbound messages and DND', () => {
  let ghl: GhlTestServer;
  let h: GhlSyncHarness;
  let requests: EventWatcher<typeof complianceV1.OptOutRequestSchema>;
  let location: InstalledLocation;
  let fixture: InstalledFixture | undefined;

  beforeAll(async () => {
    fixture = await startInstalledLocation({ GHL_CALLBACK_INTERVAL_MS: '100' });
    ({ ghl, h, location } = fixture);
    requests = await h.watch(Topics.compliance.optOutRequest);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  afterEach(() => {
    expect(ghl.problems).toEqual([]);
  });

  const inbound = async (from: string, body: string) => {
    const messageId = randomUUID();
    await h.publish(Topics.messaging.message, messageId, location.orgId, {
      messageId,
      orgId: location.orgId,
      kind: messagingV1.MessageEventKind.RECEIVED,
      status: messagingV1.MessageStatus.RECEIVED,
      direction: messagingV1.Direction.INBOUND,
      from: { e164: from },
      to: { e164: '+14155550999' },
      route: messagingV1.Route.DEVICE,
      body,
      sequence: 1,
      occurredAt: timestampFromDate(new Date()),
    });
    return messageId;
  };

  const postedInbound = (altId: string) =>
    [...ghl.messages.values()].find(
      (m) => m.direction === 'inbound' && (m.body as { altId?: string })?.altId === altId,
    );

  it('posts an inbound SMS into the contact’s conversation, creating both once', async () => {
    const from = '+14155550142';
    const first = await inbound(from, 'Can we move it to 11?');
    await eventually(() => expect(postedInbound(first)).toBeDefined(), 15_000);
    expect(postedInbound(first)?.body).toMatchObject({
      type: 'SMS',
      message: 'Can we move it to 11?',
      conversationProviderId: h.config.GHL_CONVERSATION_PROVIDER_ID,
      altId: first,
    });
    const second = await inbound(from, 'Thanks!');
    await eventually(() => expect(postedInbound(second)).toBeDefined(), 15_000);
    expect(postedInbound(second)?.conversationId).toBe(postedInbound(first)?.conversationId);
    const contacts = [...ghl.contacts.values()].filter((c) => c.phone === from);
    expect(contacts).toHaveLength(1);
    const upserts = ghl.requests.filter((r) => r.path === '/contacts/upsert');
    expect(upserts.every((r) => !('tags' in (r.body as object)))).toBe(true);
    expect(
      ghl.requests.filter((r) => r.path === '/conversations/' && r.method === 'POST'),
    ).toHaveLength(1);
    // The personal data leaves the queue once posted.
    await eventually(async () => {
      const rows = await h.sql<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM callbacks WHERE kind = 'INBOUND_MESSAGE' AND state = 'DONE'`,
      );
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => !('phone' in r.payload) && !('body' in r.payload))).toBe(true);
    });
  });

  describe('an inbound MMS', () => {
    const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 3)]);
    const GIF = Buffer.from('GIF89a-not-taken-by-ghl');
    let files: Server;
    let filesUrl: string;

    beforeAll(async () => {
      // Stands in for messaging's signed media links (served through the gateway).
      files = createServer((req, res) => {
        const [type, data] = req.url?.startsWith('/m/a.jpg')
          ? ['image/jpeg', JPEG]
          : req.url?.startsWith('/m/b.gif')
            ? ['image/gif', GIF]
            : ['text/plain', Buffer.from('gone')];
        res.writeHead(type === 'text/plain' ? 404 : 200, { 'content-type': type }).end(data);
      });
      await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
      filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((done) => files?.close(done));
    });

    const mms = async (from: string, links: string[]) => {
      const messageId = randomUUID();
      const common = {
        messageId,
        orgId: location.orgId,
        status: messagingV1.MessageStatus.RECEIVED,
        direction: messagingV1.Direction.INBOUND,
        from: { e164: from },
        to: { e164: '+14155550999' },
        route: messagingV1.Route.CARRIER,
        body: 'Here is the photo',
        mediaCount: links.length,
        occurredAt: timestampFromDate(new Date()),
      };
      await h.publish(Topics.messaging.message, messageId, location.orgId, {
        ...common,
        kind: messagingV1.MessageEventKind.RECEIVED,
        sequence: 1,
      });
      await h.publish(Topics.messaging.message, messageId, location.orgId, {
        ...common,
        kind: messagingV1.MessageEventKind.MEDIA_STORED,
        mediaLinks: links,
        sequence: 2,
      });
      return messageId;
    };

    const postsOf = (altId: string) =>
      ghl.requests.filter(
        (r) =>
          r.path === '/conversations/messages/inbound' &&
          (r.body as { altId?: string })?.altId === altId,
      );

    it('waits for its media, uploads each to GHL, and posts it once with GHL’s copies (a type GHL refuses is left out)', async () => {
      const id = await mms('+14155550145', [
        `${filesUrl}/m/a.jpg?token=t1`,
        `${filesUrl}/m/b.gif?token=t2`,
      ]);
      await eventually(() => expect(postedInbound(id)).toBeDefined(), 15_000);
      const posted = postedInbound(id)?.body as { message: string; attachments?: string[] };
      expect(posted.message).toBe('Here is the photo');
      expect(posted.attachments).toHaveLength(1);
      expect(ghl.files.get(posted.attachments![0])).toMatchObject({
        from: `${filesUrl}/m/a.jpg?token=t1`,
        contentType: 'image/jpeg',
      });
      expect(ghl.files.get(posted.attachments![0])?.data.equals(JPEG)).toBe(true);
      const uploads = ghl.requests.filter((r) => r.path === '/conversations/messages/upload');
      expect(
        uploads.map((r) => [r.status, (r.body as { attachmentUrls: string[] }).attachmentUrls]),
      ).toEqual([
        [200, [`${filesUrl}/m/a.jpg?token=t1`]],
        [415, [`${filesUrl}/m/b.gif?token=t2`]],
      ]);
      // RECEIVED did not post it ahead of its media: one post, after the uploads.
      await eventually(async () => {
        const open = await h.sql(`SELECT 1 FROM callbacks WHERE state <> 'DONE'`);
        expect(open).toHaveLength(0);
      });
      expect(postsOf(id)).toHaveLength(1);
      expect(ghl.requests.indexOf(postsOf(id)[0])).toBeGreaterThan(
        ghl.requests.indexOf(uploads[1]),
      );
      // The links (capabilities to the files) leave the queue with the number and the text.
      const rows = await h.sql<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM callbacks WHERE kind = 'INBOUND_MESSAGE' AND payload->>'messageId' = $1`,
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].payload).not.toHaveProperty('mediaLinks');
    });

    it('retries an upload GHL could not take (429) without posting the message twice', async () => {
      ghl.rateLimitStorm(2, /^\/conversations\/messages\/upload$/);
      const id = await mms('+14155550146', [`${filesUrl}/m/a.jpg?token=t3`]);
      await eventually(() => expect(postedInbound(id)).toBeDefined(), 20_000);
      expect((postedInbound(id)?.body as { attachments?: string[] }).attachments).toHaveLength(1);
      const uploads = ghl.requests.filter(
        (r) =>
          r.path === '/conversations/messages/upload' &&
          (r.body as { attachmentUrls: string[] }).attachmentUrls[0].includes('t3'),
      );
      expect(uploads.map((r) => r.status)).toEqual([429, 429, 200]);
      expect(postsOf(id)).toHaveLength(1);
    });
  });

  it('sets the contact’s SMS DND in GHL when the number opts out (STOP), and clears it on START', async () => {
    const phone = '+14155550143';
    const publish = (optedOut: boolean, version: bigint) =>
      h.publish(Topics.compliance.suppression, `${location.orgId}:${phone}`, location.orgId, {
        orgId: location.orgId,
        phoneNumber: { e164: phone },
        optedOut,
        optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
        version,
      });
    await publish(true, 1n);
    await eventually(() => {
      const contact = [...ghl.contacts.values()].find((c) => c.phone === phone);
      expect(contact?.dndSettings?.SMS?.status).toBe('active');
    }, 15_000);
    await publish(false, 2n);
    await eventually(() => {
      const contact = [...ghl.contacts.values()].find((c) => c.phone === phone);
      expect(contact?.dndSettings?.SMS?.status).toBe('inactive');
    }, 15_000);
  });

  it('asks compliance to set DND when GHL reports it (once per webhook), refusing unknown locations', async () => {
    const hook = {
      type: 'ContactDndUpdate',
      locationId: location.locationId,
      id: 'contact-dnd-1',
      phone: '+14155550144',
      dnd: true,
      dndSettings: { SMS: { status: 'active', message: 'set by a user' } },
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    };
    expect(await appWebhook(ghl, h.baseUrl, hook)).toEqual({
      status: 200,
      body: { received: 'applied' },
    });
    const asked = await requests.waitFor((e) => e.message.phoneNumber === '+14155550144');
    expect(asked.key).toBe(`${location.orgId}:+14155550144`);
    expect(asked.message).toMatchObject({
      orgId: location.orgId,
      kind: complianceV1.OptOutRequestKind.DND_SET,
      source: complianceV1.ConsentSource.GHL,
    });
    expect(await appWebhook(ghl, h.baseUrl, hook)).toEqual({
      status: 200,
      body: { received: 'duplicate' },
    });
    const cleared = {
      ...hook,
      webhookId: randomUUID(),
      dnd: false,
      dndSettings: { SMS: { status: 'inactive' } },
    };
    await appWebhook(ghl, h.baseUrl, cleared);
    await requests.waitFor(
      (e) =>
        e.message.phoneNumber === '+14155550144' &&
        e.message.kind === complianceV1.OptOutRequestKind.DND_CLEARED,
    );
    const unknown = await appWebhook(ghl, h.baseUrl, {
      ...hook,
      webhookId: randomUUID(),
      locationId: 'elsewhere',
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_LOCATION']);
    const outboxed = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'compliance.opt-out-request.v1'`,
    );
    expect(outboxed[0].n).toBe(2);
  });
});
