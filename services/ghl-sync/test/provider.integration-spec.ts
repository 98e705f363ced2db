// GHL's conversation provider: the Delivery URL (signature over the raw bytes, dedup on
// messageId, unknown locations refused with nothing written) becomes messaging's send command;
// the message's lifecycle goes back to GHL as pending → delivered | failed, never `sent`, never
// backwards — every request the local GHL sees checked against GHL's OpenAPI specs.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { messagingV1, Topics } from '@switchboard/contracts';
import { eventually, recordSqlStatements, type EventWatcher } from '@switchboard/testing';
import { GhlTestServer } from './support/ghl-test-server';
import type { GhlSyncHarness } from './support/ghl-sync-harness';
import {
  installLocation,
  startInstalledLocation,
  type InstalledFixture,
  type InstalledLocation,
} from './support/install';
import { appWebhook, providerWebhook } from './support/webhooks';

describe('the conversation provider', () => {
  let ghl: GhlTestServer;
  let h: GhlSyncHarness;
  let sends: EventWatcher<typeof messagingV1.SendMessageCommandSchema>;
  let location: InstalledLocation;
  let fixture: InstalledFixture | undefined;

  beforeAll(async () => {
    fixture = await startInstalledLocation({ GHL_CALLBACK_INTERVAL_MS: '100' });
    ({ ghl, h, location } = fixture);
    sends = await h.watch(Topics.messaging.send);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  afterEach(() => {
    expect(ghl.problems).toEqual([]);
  });

  const outbound = (over: Record<string, unknown> = {}) => {
    const message = ghl.addOutboundMessage(location.locationId, 'contact-1');
    return {
      message,
      payload: {
        contactId: 'contact-1',
        locationId: location.locationId,
        messageId: message.id,
        type: 'SMS',
        phone: '+15864603685',
        message: 'Your appointment is tomorrow at 10.',
        attachments: [] as string[],
        userId: 'ghl-user-1',
        ...over,
      },
    };
  };

  /** messaging's lifecycle event of the message sent for `ghlMessageId`. */
  const lifecycle = (
    ghlMessageId: string,
    messageId: string,
    kind: messagingV1.MessageEventKind,
    sequence: number,
    error?: { code: string; message: string },
  ) =>
    h.publish(Topics.messaging.message, messageId, location.orgId, {
      messageId,
      orgId: location.orgId,
      kind,
      status: kind as unknown as messagingV1.MessageStatus,
      direction: messagingV1.Direction.OUTBOUND,
      to: { e164: '+15864603685' },
      route: messagingV1.Route.DEVICE,
      sequence,
      idempotencyKey: `ghl:${ghlMessageId}`,
      ghlMessageId,
      error: error ? { ...error, rawCode: '', rawMessage: '' } : undefined,
      occurredAt: timestampFromDate(new Date()),
    });

  it('acknowledges a signed delivery and issues the send command once (GHL message id as key)', async () => {
    const { message, payload } = outbound({ attachments: ['https://files.example.com/a.png'] });
    const first = await providerWebhook(ghl, h.baseUrl, payload);
    expect(first).toEqual({ status: 200, body: { received: 'accepted' } });
    const command = await sends.waitFor((e) => e.message.ghlMessageId === message.id);
    expect(command.key).toBe(`${location.orgId}:ghl:${message.id}`);
    expect(command.message).toMatchObject({
      orgId: location.orgId,
      idempotencyKey: `ghl:${message.id}`,
      to: '+15864603685',
      body: 'Your appointment is tomorrow at 10.',
      mediaUrls: ['https://files.example.com/a.png'],
      purpose: messagingV1.SendPurpose.TRANSACTIONAL,
      metadata: { ghlLocationId: location.locationId, ghlContactId: 'contact-1' },
    });
    // GHL redelivers: acknowledged, nothing issued twice.
    expect(await providerWebhook(ghl, h.baseUrl, payload)).toEqual({
      status: 200,
      body: { received: 'duplicate' },
    });
    const [row] = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM provider_messages WHERE ghl_message_id = $1`,
      [message.id],
    );
    expect(row.n).toBe(1);
    const outboxed = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'messaging.send.v1'`,
    );
    expect(outboxed[0].n).toBe(1);
  });

  it('records concurrent deliveries together, each GHL message once even when redelivered at the same time', async () => {
    const payloads = Array.from({ length: 10 }, () => outbound().payload);
    const answers = await Promise.all(
      [...payloads, ...payloads].map((payload) => providerWebhook(ghl, h.baseUrl, payload)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const received = answers.map((a) => a.body.received);
    expect(received.filter((r) => r === 'accepted')).toHaveLength(10);
    expect(received.filter((r) => r === 'duplicate')).toHaveLength(10);
    const ids = new Set(payloads.map((p) => p.messageId));
    await eventually(() =>
      expect(sends.events.filter((e) => ids.has(e.message.ghlMessageId))).toHaveLength(10),
    );
  });

  it('refuses bad, N/A and RSA-only signatures, malformed bodies and unknown locations, writing nothing', async () => {
    const count = async () =>
      (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM provider_messages`))[0].n;
    const before = await count();
    const { payload } = outbound();
    const refused = [
      await providerWebhook(ghl, h.baseUrl, payload, (raw) => ({
        'x-ghl-signature': GhlTestServer.foreignSignature(raw),
      })),
      await providerWebhook(ghl, h.baseUrl, payload, () => ({ 'x-ghl-signature': 'N/A' })),
      await providerWebhook(ghl, h.baseUrl, payload, () => ({})),
      await providerWebhook(ghl, h.baseUrl, payload, (raw) => ({
        'x-wh-signature': ghl.signRsa(raw),
      })),
      // Signed, then altered on the way: the bytes are what is verified.
      await providerWebhook(ghl, h.baseUrl, payload, (raw) => ({
        'x-ghl-signature': ghl.sign(raw.replace('tomorrow', 'today')),
      })),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(
      Array(5).fill([401, 'INVALID_SIGNATURE']),
    );
    const unknown = await providerWebhook(ghl, h.baseUrl, {
      ...payload,
      locationId: 'not-installed',
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_LOCATION']);
    const email = await providerWebhook(ghl, h.baseUrl, { ...payload, type: 'Email' });
    expect([email.status, email.body.code]).toEqual([400, 'INVALID_WEBHOOK']);
    expect(await count()).toBe(before);
    expect(sends.events.some((e) => e.message.ghlMessageId === payload.messageId)).toBe(false);
  });

  it('reports pending, then delivered — never `sent`, never backwards', async () => {
    const { message, payload } = outbound();
    await providerWebhook(ghl, h.baseUrl, payload);
    const ours = randomUUID();
    const K = messagingV1.MessageEventKind;
    await lifecycle(message.id, ours, K.QUEUED, 1);
    await lifecycle(message.id, ours, K.DISPATCHED, 2);
    await lifecycle(message.id, ours, K.SENT, 3);
    await lifecycle(message.id, ours, K.DELIVERED, 4);
    await eventually(
      () => expect(message.statuses.map((s) => s.status)).toEqual(['pending', 'delivered']),
      15_000,
    );
    // A late failure report of the same message changes nothing at GHL.
    await lifecycle(message.id, ours, K.FAILED, 5, { code: 'DEVICE_FAILED', message: 'late' });
    const updates = ghl.requests.filter(
      (r) => r.path === `/conversations/messages/${message.id}/status`,
    );
    expect(updates.every((r) => r.version === '2021-04-15')).toBe(true);
    const [row] = await h.sql<{ status: string; message_id: string }>(
      `SELECT status, message_id FROM provider_messages WHERE ghl_message_id = $1`,
      [message.id],
    );
    expect(row).toEqual({ status: 'DELIVERED', message_id: ours });
    await eventually(async () => {
      const [pending] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM callbacks WHERE state = 'PENDING'`,
      );
      expect(pending.n).toBe(0);
    });
    expect(message.statuses.map((s) => s.status)).toEqual(['pending', 'delivered']);
  });

  it('reports a refused or failed message as failed with our error code', async () => {
    const { message, payload } = outbound();
    await providerWebhook(ghl, h.baseUrl, payload);
    await lifecycle(message.id, randomUUID(), messagingV1.MessageEventKind.REJECTED, 1, {
      code: 'DND',
      message: 'The recipient is on do-not-disturb',
    });
    await eventually(
      () =>
        expect(message.statuses).toEqual([
          {
            status: 'failed',
            error: { code: 'DND', type: 'saas', message: 'The recipient is on do-not-disturb' },
          },
        ]),
      15_000,
    );
  });

  it('opens no transaction for the events of messages not sent for GHL', async () => {
    const { message, payload } = outbound();
    await providerWebhook(ghl, h.baseUrl, payload);
    const ours = randomUUID();
    const K = messagingV1.MessageEventKind;
    const log = recordSqlStatements();
    try {
      // Same key, one partition: the plain outbound events are consumed before the GHL one.
      for (const kind of [K.QUEUED, K.SENT, K.DELIVERED])
        await h.publish(Topics.messaging.message, ours, location.orgId, {
          messageId: ours,
          orgId: location.orgId,
          kind,
          direction: messagingV1.Direction.OUTBOUND,
          to: { e164: '+15864603685' },
          sequence: 1,
        });
      await lifecycle(message.id, ours, K.REJECTED, 1, { code: 'DND', message: 'dnd' });
      await eventually(
        () => expect(message.statuses.map((s) => s.status)).toEqual(['failed']),
        15_000,
      );
    } finally {
      log.stop();
    }
    const consumed = log.transactions().filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
  });

  it('stops taking deliveries for an uninstalled location', async () => {
    const other = await installLocation(h, ghl);
    await appWebhook(ghl, h.baseUrl, {
      type: 'UNINSTALL',
      appId: ghl.appId,
      locationId: other.locationId,
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    });
    const { payload } = outbound({ locationId: other.locationId });
    const refused = await providerWebhook(ghl, h.baseUrl, payload);
    expect([refused.status, refused.body.code]).toEqual([404, 'UNKNOWN_LOCATION']);
  });
});
