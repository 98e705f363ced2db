// Customer webhooks against real PostgreSQL and Kafka, with local HTTP receivers: endpoints and
// the SSRF guard, deliveries from messaging.message.v1 (published by the test with the outbox's
// envelope, and from a real send), Standard Webhooks signatures checked with the reference
// library, retries with a manual clock, rotation, replay, disabling, tenant isolation.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Webhook } from 'standardwebhooks';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { RETENTION_STEPS, type RetentionStep } from '@switchboard/retention';
import { inTenantTransaction } from '@switchboard/tenancy';
import { ManualClock, recordSqlStatements, type GraphQLClient } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { WebhookRetentionSteps } from '../src/webhooks/webhook-retention.steps';
import { FakeService } from './support/fake-devices';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

type EventInit = MessageInitShape<typeof messagingV1.MessageEventSchema>;

interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number;
}

/** A customer's receiver: answers `status` (503 while "down"), records every request. */
class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = this.status;
        this.requests.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
          answered,
        });
        res.writeHead(answered).end('ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** Successful requests, one per webhook-id (the receiver's dedupe). */
  delivered(): Map<string, Received> {
    const byId = new Map<string, Received>();
    for (const r of this.requests) if (r.answered < 300) byId.set(r.headers['webhook-id'], r);
    return byId;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const ENDPOINT = `id url description eventTypes enabled disabledAt disabledReason failingSince previousSecretExpiresAt createdAt`;
const CREATE = `mutation C($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT} } } }`;
const ROTATE = `mutation R($id: ID!, $h: Int) { rotateWebhookSecret(id: $id, overlapHours: $h) { secret endpoint { ${ENDPOINT} } } }`;
const DELIVERIES = `query D($id: ID!, $filter: WebhookDeliveriesFilter, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $id, filter: $filter, first: $first, after: $after) {
    nodes { id webhookId eventType status attempts lastResponseCode deliveredAt payload }
    pageInfo { hasNextPage endCursor } } }`;

let stack: MessagingStack;
let app: RunningApp;
let messaging: FakeService;
let compliance: FakeService;
const clock = new ManualClock();
const org = randomUUID();
const otherOrg = randomUUID();
let owner: GraphQLClient;
let stranger: GraphQLClient;

beforeAll(async () => {
  stack = await startStack({
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '2000',
  });
  // The owner role reads every tenant's webhook rows (a policy of its own, for assertions only).
  for (const table of ['webhook_endpoints', 'webhook_deliveries', 'webhook_delivery_attempts']) {
    await stack.sql(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
  app = await startApp(stack, {}, { clock });
  messaging = new FakeService(stack.broker.brokers, 'messaging');
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  stranger = app.gql(await stack.tokens.user(otherOrg, 'CUSTOMER'));
}, 90_000);

afterAll(async () => {
  await messaging?.stop();
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

async function createEndpoint(
  client: GraphQLClient,
  url: string,
  eventTypes = ['MESSAGE_STATUS_CHANGED', 'MESSAGE_RECEIVED'],
) {
  const { createWebhookEndpoint } = await client.expectData<{
    createWebhookEndpoint: { secret: string; endpoint: { id: string } };
  }>(CREATE, { input: { url, eventTypes, description: 'test' } });
  return { id: createWebhookEndpoint.endpoint.id, secret: createWebhookEndpoint.secret };
}

function messageEvent(
  orgId = org,
  over: Partial<EventInit> = {},
  id: ReturnType<typeof randomUUID> = randomUUID(),
  key?: string,
): Promise<string> {
  const messageId = randomUUID();
  return messaging.publish(
    Topics.messaging.message,
    key ?? messageId,
    orgId,
    {
      messageId,
      orgId,
      kind: messagingV1.MessageEventKind.DELIVERED,
      status: messagingV1.MessageStatus.DELIVERED,
      direction: messagingV1.Direction.OUTBOUND,
      to: { e164: '+14155550100' },
      segments: 1,
      occurredAt: timestampFromDate(new Date()),
      ...over,
    } as EventInit,
    id,
  );
}

async function deliveryRows(endpointId: string) {
  return stack.sql<{ id: string; event_id: string; status: string; attempts: number }>(
    `SELECT id, event_id, status, attempts FROM webhook_deliveries WHERE endpoint_id = $1
      ORDER BY created_at, id`,
    [endpointId],
  );
}

function errorCode(error: unknown): string | undefined {
  return (
    (error as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ??
    /"code":"([A-Z_]+)"/.exec(String((error as Error).message))?.[1]
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return errorCode(error) ?? String(error);
  }
}

describe('customer webhooks', () => {
  it('refuses private, loopback, link-local and malformed URLs at registration', async () => {
    for (const url of [
      'http://10.0.0.1/h',
      'http://192.168.1.1/h',
      'http://169.254.169.254/latest',
      'http://127.0.0.2:8080/h',
      'http://[::1]/h',
      'http://100.64.0.1/h',
    ]) {
      expect(await codeOf(createEndpoint(owner, url))).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
    }
    expect(await codeOf(createEndpoint(owner, 'ftp://example.com/h'))).toBe('INVALID_WEBHOOK_URL');
    expect(await codeOf(createEndpoint(owner, 'http://localhost.invalid./h'))).toBe(
      'INVALID_WEBHOOK_URL',
    );
    expect(await codeOf(createEndpoint(owner, 'http://127.0.0.1/h', []))).toBe(
      'INVALID_WEBHOOK_EVENT_TYPES',
    );
    const rows = await stack.sql(`SELECT id FROM webhook_endpoints WHERE org_id = $1`, [org]);
    expect(rows).toHaveLength(0);
  });

  it('a receiver down for a while gets every event exactly once after it recovers, signed', async () => {
    const receiver = await new Receiver().start();
    try {
      receiver.status = 503;
      const { id, secret } = await createEndpoint(owner, receiver.url);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const events = [];
      for (let i = 0; i < 5; i++) events.push(await messageEvent());
      // A redelivered event (same event id) adds nothing.
      await messageEvent(org, {}, events[0] as ReturnType<typeof randomUUID>);
      await handled(stack, events);
      // Every delivery's failure recorded (its retry scheduled) before the clock moves on.
      await eventually('every delivery failed once', async () => {
        const rows = await deliveryRows(id);
        return rows.length === 5 && rows.every((d) => d.attempts >= 1);
      });
      expect(receiver.requests.length).toBeGreaterThanOrEqual(5);

      receiver.status = 200;
      clock.advance(2 * 60_000); // past the first retry (30 s ± 20 %)
      await eventually(
        'all delivered',
        async () => (await deliveryRows(id)).every((d) => d.status === 'SUCCEEDED'),
        30_000,
      );
      const delivered = receiver.delivered();
      expect(delivered.size).toBe(5);
      expect([...receiver.requests].filter((r) => r.answered === 200)).toHaveLength(5);
      const wh = new Webhook(secret);
      for (const [webhookId, request] of delivered) {
        const verified = wh.verify(request.body, request.headers) as {
          type: string;
          data: { status: string };
        };
        expect(verified).toMatchObject({
          type: 'message.status_changed',
          data: { status: 'DELIVERED' },
        });
        expect(webhookId).toMatch(/^msg_/);
        // the same webhook-id on the failed attempt and the successful one
        expect(
          receiver.requests.filter((r) => r.headers['webhook-id'] === webhookId).length,
        ).toBeGreaterThanOrEqual(2);
      }
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
          [...delivered.values()][0].body,
          [...delivered.values()][0].headers,
        ),
      ).toThrow();

      const page = await owner.expectData<{
        webhookDeliveries: { nodes: { status: string; attempts: number }[] };
      }>(DELIVERIES, {
        id,
        filter: { status: 'SUCCEEDED' },
      });
      expect(page.webhookDeliveries.nodes).toHaveLength(5);
      expect(page.webhookDeliveries.nodes.every((n) => n.attempts >= 2)).toBe(true);
      const [log] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
          WHERE d.endpoint_id = $1 AND a.response_code = 503`,
        [id],
      );
      expect(log.n).toBeGreaterThanOrEqual(5);
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 90_000);

  it("sends a real send's status change and an inbound message, and a signed test ping", async () => {
    const receiver = await new Receiver().start();
    try {
      const { id, secret } = await createEndpoint(owner, receiver.url);
      const inbound = await messageEvent(org, {
        kind: messagingV1.MessageEventKind.RECEIVED,
        status: messagingV1.MessageStatus.RECEIVED,
        direction: messagingV1.Direction.INBOUND,
        from: { e164: '+14155550199' },
        body: 'hi there',
      });
      await owner
        .expectData(
          `mutation S($input: SendMessageInput!) { sendMessage(input: $input) { id status } }`,
          {
            input: { to: '+14155550123', body: 'hello' },
          },
        )
        .catch(() => undefined);
      await handled(stack, [inbound]);
      await eventually('inbound and a status change delivered', () => {
        const types = [...receiver.delivered().values()].map((r) => JSON.parse(r.body).type);
        return types.includes('message.received') && types.includes('message.status_changed');
      });
      const received = [...receiver.delivered().values()].find(
        (r) => JSON.parse(r.body).type === 'message.received',
      )!;
      expect(new Webhook(secret).verify(received.body, received.headers)).toMatchObject({
        data: { body: 'hi there', from: '+14155550199', direction: 'INBOUND' },
      });

      const { testWebhookEndpoint } = await owner.expectData<{
        testWebhookEndpoint: { success: boolean; responseCode: number; latencyMs: number };
      }>(
        `mutation($id: ID!) { testWebhookEndpoint(id: $id) { success responseCode latencyMs error } }`,
        { id },
      );
      expect(testWebhookEndpoint).toMatchObject({ success: true, responseCode: 200 });
      expect(testWebhookEndpoint.latencyMs).toBeGreaterThanOrEqual(0);
      const ping = receiver.requests.find((r) => JSON.parse(r.body).type === 'webhook.ping')!;
      expect(new Webhook(secret).verify(ping.body, ping.headers)).toMatchObject({
        data: { endpointId: id },
      });
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('rotation: both secrets sign during the overlap; replay of one delivery and of a range', async () => {
    const receiver = await new Receiver().start();
    try {
      const { id, secret: oldSecret } = await createEndpoint(owner, receiver.url);
      const { rotateWebhookSecret } = await owner.expectData<{
        rotateWebhookSecret: { secret: string; endpoint: { previousSecretExpiresAt: string } };
      }>(ROTATE, { id, h: 2 });
      const newSecret = rotateWebhookSecret.secret;
      expect(newSecret).not.toBe(oldSecret);
      expect(rotateWebhookSecret.endpoint.previousSecretExpiresAt).not.toBeNull();
      await handled(stack, [await messageEvent()]);
      await eventually('delivered', () => receiver.delivered().size === 1);
      const [first] = receiver.delivered().values();
      expect(first.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(first.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
      expect(new Webhook(oldSecret).verify(first.body, first.headers)).toBeTruthy();
      expect(new Webhook(newSecret).verify(first.body, first.headers)).toBeTruthy();
      // The secrets are never returned again.
      const listed = await owner.expectData<{ webhookEndpoints: Record<string, unknown>[] }>(
        `{ webhookEndpoints { ${ENDPOINT} } }`,
      );
      expect(JSON.stringify(listed)).not.toContain(newSecret.slice(6, 20));
      // At rest both secrets are sealed (AES-256-GCM with a key id), never in clear.
      const [stored] = await stack.sql<{ secret: string; previous_secret: string }>(
        `SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1`,
        [id],
      );
      for (const [sealed, plain] of [
        [stored.secret, newSecret],
        [stored.previous_secret, oldSecret],
      ]) {
        expect(sealed).toMatch(/^v1\.dev\./);
        expect(sealed).not.toContain(plain.slice(6, 20));
      }

      // Replay one delivery: the same webhook-id again, signed.
      const [delivery] = await deliveryRows(id);
      await owner.expectData(
        `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }`,
        { id: delivery.id },
      );
      await eventually(
        'replayed',
        () =>
          receiver.requests.filter((r) => r.headers['webhook-id'] === first.headers['webhook-id'])
            .length === 2,
      );

      // A second rotation without overlap: one signature, with the newest secret.
      const again = await owner.expectData<{ rotateWebhookSecret: { secret: string } }>(ROTATE, {
        id,
        h: 0,
      });
      const from = new Date(clock.now().getTime() - 3_600_000).toISOString();
      const to = new Date(clock.now().getTime() + 60_000).toISOString();
      const { replayWebhookDeliveries } = await owner.expectData<{
        replayWebhookDeliveries: number;
      }>(
        `mutation($id: ID!, $from: DateTime!, $to: DateTime!) { replayWebhookDeliveries(endpointId: $id, from: $from, to: $to) }`,
        { id, from, to },
      );
      expect(replayWebhookDeliveries).toBe(1);
      await eventually('replayed by range', () => receiver.requests.length === 3);
      const last = receiver.requests[2];
      expect(last.headers['webhook-signature'].split(' ')).toHaveLength(1);
      expect(
        new Webhook(again.rotateWebhookSecret.secret).verify(last.body, last.headers),
      ).toBeTruthy();
      expect(() => new Webhook(newSecret).verify(last.body, last.headers)).toThrow();
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('sends opt_out.changed once per change of a number (not for consent updates or older changes)', async () => {
    const receiver = await new Receiver().start();
    try {
      const before = new Date(clock.now().getTime() - 60_000);
      const { id, secret } = await createEndpoint(owner, receiver.url, ['OPT_OUT_CHANGED']);
      const changedAt = clock.now();
      const state = (over: Record<string, unknown>) =>
        compliance.publish(Topics.compliance.suppression, `${org}:+14155550111`, org, {
          orgId: org,
          phoneNumber: { e164: '+14155550111' },
          optedOut: true,
          optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
          optedOutChangedAt: timestampFromDate(changedAt),
          updatedAt: timestampFromDate(changedAt),
          version: 2n,
          ...over,
        } as MessageInitShape<typeof complianceV1.SuppressionStateSchema>);
      const events = [
        // a change from before the endpoint existed (the compacted topic replays it): not sent
        await compliance.publish(Topics.compliance.suppression, `${org}:+14155550112`, org, {
          orgId: org,
          phoneNumber: { e164: '+14155550112' },
          optedOut: true,
          optedOutChangedAt: timestampFromDate(before),
          version: 1n,
        } as MessageInitShape<typeof complianceV1.SuppressionStateSchema>),
        await state({}),
        // the same opt-out, a later consent change: no second opt_out.changed
        await state({ consent: true, version: 3n }),
      ];
      await handled(stack, events);
      await eventually('opt-out delivered', () => receiver.delivered().size === 1);
      const [request] = receiver.delivered().values();
      expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({
        type: 'opt_out.changed',
        data: { phoneNumber: '+14155550111', optedOut: true, source: 'INBOUND_KEYWORD' },
      });
      expect(await deliveryRows(id)).toHaveLength(1);
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('keeps tenants apart: endpoints, deliveries and events of one organization only', async () => {
    const receiver = await new Receiver().start();
    try {
      const { id } = await createEndpoint(owner, receiver.url);
      const theirs = await stranger.expectData<{ webhookEndpoints: { id: string }[] }>(
        `{ webhookEndpoints { id } }`,
      );
      expect(theirs.webhookEndpoints.map((e) => e.id)).not.toContain(id);
      expect(await codeOf(stranger.expectData(DELIVERIES, { id }))).toBe(
        'WEBHOOK_ENDPOINT_NOT_FOUND',
      );
      expect(
        await codeOf(
          stranger.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id }),
        ),
      ).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
      expect(await codeOf(stranger.expectData(ROTATE, { id, h: 1 }))).toBe(
        'WEBHOOK_ENDPOINT_NOT_FOUND',
      );
      // Another organization's event reaches none of this organization's endpoints. It has no
      // endpoint itself, so its event opens no transaction (nothing records it): published with
      // the same key, it is consumed before this organization's, which is recorded.
      const key = randomUUID();
      await messageEvent(otherOrg, {}, randomUUID(), key);
      await handled(stack, [await messageEvent(org, {}, randomUUID(), key)]);
      await eventually('own event delivered', () => receiver.delivered().size === 1);
      expect(await deliveryRows(id)).toHaveLength(1);
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('opens no transaction for the message events of an organization without an endpoint for them', async () => {
    const lonely = randomUUID(); // no endpoint
    const log = recordSqlStatements();
    const skipped: string[] = [];
    try {
      // Same key: one partition, consumed in order; the last one's organization has an endpoint.
      const key = randomUUID();
      skipped.push(await messageEvent(lonely, {}, randomUUID(), key));
      skipped.push(
        await messageEvent(lonely, { direction: messagingV1.Direction.INBOUND }, randomUUID(), key),
      );
      const receiver = await new Receiver().start();
      try {
        const { id } = await createEndpoint(owner, receiver.url, ['MESSAGE_RECEIVED']);
        // This organization's endpoint takes inbound messages only: its status change is skipped.
        skipped.push(await messageEvent(org, {}, randomUUID(), key));
        const marker = await messageEvent(
          org,
          { direction: messagingV1.Direction.INBOUND },
          randomUUID(),
          key,
        );
        await handled(stack, [marker]);
        await eventually('the inbound message delivered', () => receiver.delivered().size === 1);
        await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
      } finally {
        await receiver.stop();
      }
    } finally {
      log.stop();
    }
    const consumed = log.transactions().filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1::text[])`,
      [skipped],
    );
    expect(n).toBe(0);
  }, 60_000);

  it('retention: inbound payloads lose the body, then finished deliveries and their log go', async () => {
    const receiver = await new Receiver().start();
    try {
      const { id } = await createEndpoint(owner, receiver.url);
      await handled(stack, [
        await messageEvent(org, {
          kind: messagingV1.MessageEventKind.RECEIVED,
          status: messagingV1.MessageStatus.RECEIVED,
          direction: messagingV1.Direction.INBOUND,
          from: { e164: '+14155550177' },
          body: 'secret body',
        }),
      ]);
      await eventually(
        'delivered',
        async () => (await deliveryRows(id))[0]?.status === 'SUCCEEDED',
      );
      // messaging's retention job runs them with its own steps
      const jobs = app.app.get<RetentionStep[]>(RETENTION_STEPS).map((step) => step.job);
      expect(jobs).toEqual(
        expect.arrayContaining(['message-bodies', 'webhook-payload-bodies', 'webhook-deliveries']),
      );
      const steps = app.app.get(WebhookRetentionSteps).all();
      const dataSource = app.app.get(DataSource);
      const future = new Date(clock.now().getTime() + 60_000);
      const cut = {
        bodiesBefore: future,
        metadataBefore: new Date(0),
        auditBefore: new Date(0),
        requestLogsBefore: new Date(0),
      };
      const run = (step: number, cutoffs: typeof cut) =>
        inTenantTransaction(dataSource, org, (tx) => steps[step].batch(tx, cutoffs, 100, org));
      expect(await run(0, cut)).toEqual({ counts: { bodies_redacted: 1 }, more: false });
      const [redacted] = await stack.sql<{ payload: string }>(
        `SELECT payload FROM webhook_deliveries WHERE endpoint_id = $1`,
        [id],
      );
      expect(redacted.payload).not.toContain('secret body');
      expect(JSON.parse(redacted.payload)).toMatchObject({
        type: 'message.received',
        data: { body: null },
      });
      expect(await run(1, cut)).toEqual({ counts: { deliveries_purged: 0 }, more: false });
      expect(await run(1, { ...cut, requestLogsBefore: future })).toEqual({
        counts: { deliveries_purged: 1 },
        more: false,
      });
      expect(await deliveryRows(id)).toHaveLength(0);
      const [log] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_delivery_attempts WHERE org_id = $1`,
        [org],
      );
      expect(log.n).toBe(0);
      await owner.expectData(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('an endpoint failing for 5 days is disabled, with an audit entry and a mail to the owners', async () => {
    // An organization of its own: the earlier tests' messages of `org` change status when the
    // clock jumps days ahead (they expire), and their events would reach this endpoint too.
    const failingOrg = randomUUID();
    const failingOwner = app.gql(await stack.tokens.user(failingOrg, 'CUSTOMER'));
    const receiver = await new Receiver().start();
    try {
      receiver.status = 500;
      const { id } = await createEndpoint(failingOwner, receiver.url);
      await handled(stack, [await messageEvent(failingOrg)]);
      await eventually(
        'first failure recorded',
        async () => (await deliveryRows(id))[0]?.attempts >= 1,
      );
      clock.advance(3 * 24 * 3_600_000);
      await eventually(
        'second failure recorded',
        async () => (await deliveryRows(id))[0]?.attempts >= 2,
      );
      const endpoints = () =>
        failingOwner.expectData<{
          webhookEndpoints: {
            id: string;
            enabled: boolean;
            disabledReason: string | null;
            failingSince: string | null;
          }[];
        }>(`{ webhookEndpoints { ${ENDPOINT} } }`);
      expect((await endpoints()).webhookEndpoints.find((e) => e.id === id)).toMatchObject({
        enabled: true,
      });
      // The delivery gave up after 72 h; a new event keeps the endpoint failing.
      clock.advance(2 * 24 * 3_600_000 + 60_000);
      await handled(stack, [await messageEvent(failingOrg)]);
      await eventually('disabled', async () =>
        (await endpoints()).webhookEndpoints.find((e) => e.id === id && !e.enabled),
      );
      const [audit] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE topic = 'compliance.audit.v1'
            AND position(convert_to('webhook_endpoint.disable', 'UTF8') in payload) > 0
            AND position(convert_to($1, 'UTF8') in payload) > 0`,
        [id],
      );
      expect(audit.n).toBe(1);
      // The owners' mail, asked of accounts' mail sender, names the endpoint.
      const [mail] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE topic = 'accounts.email.v1'
            AND position(convert_to($1, 'UTF8') in payload) > 0`,
        [receiver.url],
      );
      expect(mail.n).toBe(1);
    } finally {
      clock.reset();
      await receiver.stop();
    }
  }, 90_000);
});
