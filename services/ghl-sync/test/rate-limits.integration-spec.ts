// One GHL client under GHL's limits: a 429 storm and a restart lose no callback, and the
// location's budget is never exceeded — asserted from the local GHL's request log.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { messagingV1, Topics } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import type { FakeMessage, GhlTestServer } from './support/ghl-test-server';
import type { GhlSyncHarness } from './support/ghl-sync-harness';
import {
  startInstalledLocation,
  type InstalledFixture,
  type InstalledLocation,
} from './support/install';
import { providerWebhook } from './support/webhooks';

const LIMIT = { max: 10, intervalMs: 2000 };

describe('GHL rate limits and the callback queue', () => {
  let ghl: GhlTestServer;
  let h: GhlSyncHarness;
  let location: InstalledLocation;
  let fixture: InstalledFixture | undefined;

  beforeAll(async () => {
    fixture = await startInstalledLocation(
      {
        GHL_CALLBACK_INTERVAL_MS: '50',
        GHL_RATE_BURST: String(LIMIT.max),
        GHL_RATE_INTERVAL_MS: String(LIMIT.intervalMs),
      },
      (server) => {
        server.limit = LIMIT;
      },
    );
    ({ ghl, h, location } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  afterEach(() => {
    expect(ghl.problems).toEqual([]);
  });

  /** n provider deliveries, each then reported DELIVERED by messaging. */
  async function deliveredMessages(n: number): Promise<FakeMessage[]> {
    const messages: FakeMessage[] = [];
    for (let i = 0; i < n; i++) {
      const message = ghl.addOutboundMessage(location.locationId, `c-${i}`);
      const r = await providerWebhook(ghl, h.baseUrl, {
        contactId: `c-${i}`,
        locationId: location.locationId,
        messageId: message.id,
        type: 'SMS',
        phone: `+1415555${String(1000 + i)}`,
        message: `Reminder ${i}`,
      });
      expect(r.status).toBe(200);
      messages.push(message);
    }
    for (const message of messages) {
      const messageId = randomUUID();
      await h.publish(Topics.messaging.message, messageId, location.orgId, {
        messageId,
        orgId: location.orgId,
        kind: messagingV1.MessageEventKind.DELIVERED,
        status: messagingV1.MessageStatus.DELIVERED,
        direction: messagingV1.Direction.OUTBOUND,
        ghlMessageId: message.id,
        sequence: 1,
        occurredAt: timestampFromDate(new Date()),
      });
    }
    return messages;
  }

  it('delivers every status through a 429 storm without exceeding the limit', async () => {
    ghl.rateLimitStorm(15, /\/status$/);
    const messages = await deliveredMessages(25);
    await eventually(
      () => expect(messages.filter((m) => m.statuses.length === 0)).toEqual([]),
      60_000,
      200,
    );
    expect(messages.every((m) => m.statuses.map((s) => s.status).join() === 'delivered')).toBe(
      true,
    );
    const statusCalls = ghl.requests.filter((r) => r.path.endsWith('/status'));
    expect(statusCalls.filter((r) => r.status === 429)).toHaveLength(15);
    expect(ghl.maxRequestsPerWindow(location.locationId, LIMIT.intervalMs)).toBeLessThanOrEqual(
      LIMIT.max,
    );
    const given = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM callbacks WHERE state = 'GIVEN_UP'`,
    );
    expect(given[0].n).toBe(0);
    const logged = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM request_log WHERE operation = 'conversations.messageStatus' AND status = 429`,
    );
    expect(logged[0].n).toBe(15);
  });

  it('keeps queued callbacks across a restart', async () => {
    ghl.rateLimitStorm(1_000_000, /\/status$/);
    const messages = await deliveredMessages(3);
    await eventually(async () => {
      const [pending] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM callbacks WHERE state = 'PENDING' AND attempts = 0 AND last_error IS NOT NULL`,
      );
      expect(pending.n).toBeGreaterThanOrEqual(1);
    }, 20_000);
    await h.restart();
    ghl.rateLimitStorm(0);
    await eventually(
      () =>
        expect(messages.map((m) => m.statuses.map((s) => s.status).join())).toEqual([
          'delivered',
          'delivered',
          'delivered',
        ]),
      30_000,
      200,
    );
    expect(ghl.maxRequestsPerWindow(location.locationId, LIMIT.intervalMs)).toBeLessThanOrEqual(
      LIMIT.max,
    );
  });

  it('refreshes the token after a 401 and repeats the call once', async () => {
    ghl.expireTokens();
    const [message] = await deliveredMessages(1);
    await eventually(
      () => expect(message.statuses.map((s) => s.status)).toEqual(['delivered']),
      20_000,
    );
    expect(
      ghl.requests
        .filter((r) => (r.body as { grant_type?: string })?.grant_type === 'refresh_token')
        .at(-1)?.status,
    ).toBe(200);
  });
});
