// Carriers against real PostgreSQL and Kafka, with a local Twilio + Telnyx whose every request
// is checked against the vendors' OpenAPI specs: accounts and numbers (credentials sealed, never
// answered), sends through each carrier (externalId, SENT, then DELIVERED by a signed status
// callback), retries of transient errors, normalized failures, inbound SMS/MMS from each carrier
// in the right conversation, and refused callbacks (bad signature, stale timestamp, unknown
// account) and replays that write nothing.
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RETENTION_STEPS, type RetentionStep } from '@switchboard/retention';
import { CarrierRetentionSteps } from '../src/carriers/carrier-retention.steps';
import { accountsV1 } from '@switchboard/contracts';
import { inTenantTransaction } from '@switchboard/tenancy';
import type { GraphQLClient } from '@switchboard/testing';
import { CARRIER_DISPATCH, type CarrierDispatchEnqueuer } from '../src/carriers/carrier';
import { FakeService } from './support/fake-devices';
import { get, send, type MessageView } from './support/messaging-api';
import {
  CarrierTestServer,
  postTelnyx,
  postTwilio,
  telnyxInboundEvent,
  telnyxKeyPair,
  telnyxStatusEvent,
  twilioInboundParams,
  twilioStatusParams,
} from './support/carrier-test-server';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

/** The URL carriers call (behind the ingress); the tests post to the app's own address. */
const PUBLIC = 'https://hooks.switchboard.test';
const TWILIO_SID = `AC${'a1b2c3d4'.repeat(4)}`;
const TWILIO_TOKEN = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TELNYX_API_KEY = `KEY${'Z'.repeat(20)}_secretpart`;
const TWILIO_NUMBER = '+14155550100';
const TELNYX_NUMBER = '+14155550101';
const CONTACT = '+14155550123';

const ACCOUNT = `id kind name credentialHint stickySender statusCallbackUrl inboundWebhookUrl createdAt
  numbers { id carrierAccountId number sms mms createdAt }`;
const CREATE = `mutation C($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { ${ACCOUNT} } }`;
const ADD_NUMBER = `mutation N($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id number sms mms } }`;
const LIST = `{ carrierAccounts { ${ACCOUNT} } }`;

interface AccountView {
  id: string;
  kind: string;
  credentialHint: string;
  statusCallbackUrl: string;
  inboundWebhookUrl: string;
  numbers: { number: string }[];
}

let server: CarrierTestServer;
let stack: MessagingStack;
let app: RunningApp;
let accounts: FakeService;
let owner: GraphQLClient;
let member: GraphQLClient;
let telnyxKey: { publicKeyBase64: string; privateKey: KeyObject };
let twilioAccount: AccountView;
let telnyxAccount: AccountView;
const org = randomUUID();
const otherOrg = randomUUID();

/** The app's own address for a public callback URL (what the ingress does). */
const local = (publicUrl: string) => publicUrl.replace(PUBLIC, app.url);

const CARRIER_TABLES = [
  'carrier_accounts',
  'carrier_numbers',
  'carrier_sticky_senders',
  'carrier_callback_receipts',
  'carrier_sends',
];

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['messages', 'conversations', 'outbox', ...CARRIER_TABLES]) {
    const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = n;
  }
  return out;
}

/** What routing does for a carrier route: queue the send in a tenant transaction. */
async function enqueue(message: MessageView, carrierAccountId: string): Promise<void> {
  const queue = app.app.get<CarrierDispatchEnqueuer>(CARRIER_DISPATCH);
  const dataSource = app.app.get(DataSource);
  const [row] = await stack.sql<{ attempt: number }>(`SELECT attempt FROM messages WHERE id = $1`, [
    message.id,
  ]);
  await inTenantTransaction(dataSource, org, (tx) =>
    queue.enqueue(tx, {
      messageId: message.id,
      routeId: 'test-route',
      carrierAccountId,
      attempt: row!.attempt,
    }),
  );
}

async function externalIdOf(id: string): Promise<string | null> {
  const [row] = await stack.sql<{ external_id: string | null }>(
    `SELECT external_id FROM messages WHERE id = $1`,
    [id],
  );
  return row?.external_id ?? null;
}

async function statusOf(id: string, status: string): Promise<MessageView> {
  return eventually(`message ${status}`, async () => {
    const m = await get(owner, id);
    return m.status === status && m;
  });
}

beforeAll(async () => {
  server = await CarrierTestServer.start();
  stack = await startStack({
    ...server.env,
    CARRIER_CALLBACK_BASE_URL: PUBLIC,
    CARRIER_POLL_INTERVAL_MS: '50',
    CARRIER_TIMEOUT_MS: '5000',
  });
  for (const table of CARRIER_TABLES) {
    await stack.sql(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
  app = await startApp(stack);
  accounts = new FakeService(stack.broker.brokers, 'accounts');
  await accounts.organization(org, {
    slug: 'carriers',
    name: 'Carriers',
    status: accountsV1.OrganizationStatus.ACTIVE,
    defaultCountry: 'US',
  });
  await eventually('organization projected', async () => {
    const rows = await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1`, [org]);
    return rows.length > 0;
  });
  owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
  member = app.gql(await stack.tokens.user(org, 'USER'));
  telnyxKey = telnyxKeyPair();
}, 120_000);

afterAll(async () => {
  await accounts?.stop();
  await app?.close();
  await stack?.stop();
  await server?.stop();
});

describe('carrier accounts and numbers', () => {
  it('creates a Twilio and a Telnyx account; credentials are never answered', async () => {
    twilioAccount = (
      await owner.expectData<{ createCarrierAccount: AccountView }>(CREATE, {
        input: {
          kind: 'TWILIO',
          name: 'Twilio main',
          stickySender: true,
          twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
        },
      })
    ).createCarrierAccount;
    expect(twilioAccount).toMatchObject({
      kind: 'TWILIO',
      credentialHint: `AC…${TWILIO_SID.slice(-4)}`,
      statusCallbackUrl: `${PUBLIC}/api/carrier-hooks/twilio/${org}/${twilioAccount.id}/status`,
      inboundWebhookUrl: `${PUBLIC}/api/carrier-hooks/twilio/${org}/${twilioAccount.id}/inbound`,
    });
    telnyxAccount = (
      await owner.expectData<{ createCarrierAccount: AccountView }>(CREATE, {
        input: {
          kind: 'TELNYX',
          name: 'Telnyx',
          telnyx: { apiKey: TELNYX_API_KEY, webhookPublicKey: telnyxKey.publicKeyBase64 },
        },
      })
    ).createCarrierAccount;
    expect(telnyxAccount.statusCallbackUrl).toBe(
      `${PUBLIC}/api/carrier-hooks/telnyx/${org}/${telnyxAccount.id}`,
    );
    for (const [account, number] of [
      [twilioAccount, TWILIO_NUMBER],
      [telnyxAccount, TELNYX_NUMBER],
    ] as const) {
      await owner.expectData(ADD_NUMBER, {
        input: { carrierAccountId: account.id, number, sms: true, mms: true },
      });
    }
    const listed = await owner.request(LIST);
    const answers = JSON.stringify([twilioAccount, telnyxAccount, listed]);
    for (const secret of [TWILIO_TOKEN, TELNYX_API_KEY, 'secretpart']) {
      expect(answers).not.toContain(secret);
    }
    expect((listed.data as { carrierAccounts: AccountView[] }).carrierAccounts).toHaveLength(2);
  });

  it('testCarrierAccount asks the vendor with the stored credentials', async () => {
    const TEST = `mutation T($id: ID!) { testCarrierAccount(id: $id) { ok errorCode rawCode rawMessage } }`;
    for (const account of [twilioAccount, telnyxAccount]) {
      expect(await owner.expectData(TEST, { id: account.id })).toEqual({
        testCarrierAccount: { ok: true, errorCode: null, rawCode: null, rawMessage: null },
      });
    }
    const call = server.sent('twilio').at(-1)!;
    expect(call.method).toBe('GET');
    expect(call.headers.authorization).toBe(
      `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`,
    );
    server.failNext('twilio', { status: 401, code: 20003, text: 'Authenticate' });
    expect(await owner.expectData(TEST, { id: twilioAccount.id })).toEqual({
      testCarrierAccount: {
        ok: false,
        errorCode: 'AUTH_FAILED',
        rawCode: '20003',
        rawMessage: 'Authenticate',
      },
    });
    const missing = await owner.request(TEST, { id: randomUUID() });
    expect(missing.errors?.[0]?.extensions?.code).toBe('CARRIER_ACCOUNT_NOT_FOUND');
  });

  it('refuses bad credentials, a taken number, and callers without the admin scope', async () => {
    const bad = await owner.request(CREATE, {
      input: { kind: 'TWILIO', name: 'x', twilio: { accountSid: 'AC1', authToken: TWILIO_TOKEN } },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_CARRIER_ACCOUNT');
    const taken = await owner.request(ADD_NUMBER, {
      input: { carrierAccountId: telnyxAccount.id, number: TWILIO_NUMBER },
    });
    expect(taken.errors?.[0]?.extensions?.code).toBe('CARRIER_NUMBER_TAKEN');
    // Another organization cannot claim it either (a number belongs to one organization).
    const other = app.gql(await stack.tokens.user(otherOrg, 'CUSTOMER'));
    const theirs = (
      await other.expectData<{ createCarrierAccount: AccountView }>(CREATE, {
        input: {
          kind: 'TWILIO',
          name: 'theirs',
          twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN },
        },
      })
    ).createCarrierAccount;
    const stolen = await other.request(ADD_NUMBER, {
      input: { carrierAccountId: theirs.id, number: TWILIO_NUMBER },
    });
    expect(stolen.errors?.[0]?.extensions?.code).toBe('CARRIER_NUMBER_TAKEN');
    // …nor see ours.
    expect(
      (await other.expectData<{ carrierAccounts: AccountView[] }>(LIST)).carrierAccounts.map(
        (a) => a.id,
      ),
    ).toEqual([theirs.id]);
    const denied = await member.request(LIST);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps credentials sealed: no table of the database holds them in clear', async () => {
    const tables = await stack.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const hex = (s: string) => Buffer.from(s).toString('hex');
    for (const { table_name } of tables) {
      await stack.sql(
        `DO $$ BEGIN EXECUTE 'CREATE POLICY test_dump ON ${table_name} TO CURRENT_USER USING (true)'; EXCEPTION WHEN OTHERS THEN NULL; END $$`,
      );
      const [{ dump }] = await stack.sql<{ dump: string | null }>(
        `SELECT string_agg(t::text, '') AS dump FROM ${table_name} t`,
      );
      for (const secret of [TWILIO_TOKEN, TELNYX_API_KEY, telnyxKey.publicKeyBase64]) {
        expect({ table_name, clear: (dump ?? '').includes(secret) }).toEqual({
          table_name,
          clear: false,
        });
        expect({ table_name, hex: (dump ?? '').includes(hex(secret)) }).toEqual({
          table_name,
          hex: false,
        });
      }
    }
    const [row] = await stack.sql<{ credentials: string; credentials_key_id: string }>(
      `SELECT credentials, credentials_key_id FROM carrier_accounts WHERE id = $1`,
      [twilioAccount.id],
    );
    expect(row!.credentials).toMatch(/^v1\.dev\./);
    expect(row!.credentials_key_id).toBe('dev');
  });
});

describe('sending through a carrier', () => {
  it('Twilio: sent (externalId, SENT), then DELIVERED by a signed status callback; a replay changes nothing', async () => {
    const message = await send(owner, { to: CONTACT, body: 'Hello from Twilio' });
    await enqueue(message, twilioAccount.id);
    const sent = await statusOf(message.id, 'SENT');
    const request = server
      .sent('twilio')
      .find((r) => r.body.To === CONTACT && r.body.Body === 'Hello from Twilio')!;
    expect(request.violations).toEqual([]);
    expect(request.body).toMatchObject({
      From: TWILIO_NUMBER,
      StatusCallback: twilioAccount.statusCallbackUrl,
    });
    expect(await externalIdOf(message.id)).toBe(request.externalId);
    expect(sent.from).toBe(TWILIO_NUMBER);
    expect(sent.conversationId).not.toBeNull();

    const params = twilioStatusParams(TWILIO_SID, request.externalId!, 'delivered', {
      To: CONTACT,
      From: TWILIO_NUMBER,
    });
    const answer = await postTwilio(local(twilioAccount.statusCallbackUrl), TWILIO_TOKEN, params, {
      signedUrl: twilioAccount.statusCallbackUrl,
    });
    expect(answer.status).toBe(204);
    const delivered = await statusOf(message.id, 'DELIVERED');
    expect(delivered.deliveredAt).not.toBeNull();

    const before = await counts();
    const replay = await postTwilio(local(twilioAccount.statusCallbackUrl), TWILIO_TOKEN, params, {
      signedUrl: twilioAccount.statusCallbackUrl,
    });
    expect(replay.status).toBe(204);
    expect(await counts()).toEqual(before);
    // A late "sent" after "delivered" does not move it back.
    const late = twilioStatusParams(TWILIO_SID, request.externalId!, 'sent');
    await postTwilio(local(twilioAccount.statusCallbackUrl), TWILIO_TOKEN, late, {
      signedUrl: twilioAccount.statusCallbackUrl,
    });
    expect((await get(owner, message.id)).status).toBe('DELIVERED');
  });

  it('Telnyx: an MMS sent, then DELIVERED by a signed message.finalized; a replay changes nothing', async () => {
    const message = await send(owner, { to: CONTACT, body: 'Hello from Telnyx' });
    await stack.sql(`UPDATE messages SET media_urls = $2 WHERE id = $1`, [
      message.id,
      ['https://cdn.example/pic.jpg'],
    ]);
    await enqueue(message, telnyxAccount.id);
    await statusOf(message.id, 'SENT');
    const request = server.sent('telnyx').find((r) => r.body.text === 'Hello from Telnyx')!;
    expect(request.violations).toEqual([]);
    expect(request.body).toMatchObject({
      from: TELNYX_NUMBER,
      to: CONTACT,
      media_urls: ['https://cdn.example/pic.jpg'],
      type: 'MMS',
      webhook_url: telnyxAccount.statusCallbackUrl,
    });
    expect(await externalIdOf(message.id)).toBe(request.externalId);

    const event = telnyxStatusEvent(request.externalId!, CONTACT, 'delivered');
    expect(
      (await postTelnyx(local(telnyxAccount.statusCallbackUrl), telnyxKey.privateKey, event))
        .status,
    ).toBe(204);
    await statusOf(message.id, 'DELIVERED');
    const before = await counts();
    expect(
      (await postTelnyx(local(telnyxAccount.statusCallbackUrl), telnyxKey.privateKey, event))
        .status,
    ).toBe(204);
    expect(await counts()).toEqual(before);
  });

  it('retries a transient error (503) and then sends', async () => {
    server.failNext('twilio', { status: 503, text: 'Service Unavailable' });
    const message = await send(owner, { to: CONTACT, body: 'After a 503' });
    await enqueue(message, twilioAccount.id);
    await eventually('retried after the backoff', () => statusOf(message.id, 'SENT'), 30_000);
    expect(server.sent('twilio').filter((r) => r.body.Body === 'After a 503')).toHaveLength(2);
  });

  it('fails with the normalized error: 21610 at send time, 30007 in a status callback', async () => {
    server.failNext('twilio', {
      status: 400,
      code: 21610,
      text: 'Attempt to send to unsubscribed recipient',
    });
    const refused = await send(owner, { to: CONTACT, body: 'Refused' });
    await enqueue(refused, twilioAccount.id);
    expect((await statusOf(refused.id, 'FAILED')).error).toEqual({
      code: 'OPTED_OUT',
      message: 'The recipient opted out (STOP) of messages from this sender',
      rawCode: '21610',
      rawMessage: 'Attempt to send to unsubscribed recipient',
    });

    const filtered = await send(owner, { to: CONTACT, body: 'Filtered' });
    await enqueue(filtered, twilioAccount.id);
    await statusOf(filtered.id, 'SENT');
    const sid = (await externalIdOf(filtered.id))!;
    const params = twilioStatusParams(TWILIO_SID, sid, 'undelivered', { ErrorCode: '30007' });
    await postTwilio(local(twilioAccount.statusCallbackUrl), TWILIO_TOKEN, params, {
      signedUrl: twilioAccount.statusCallbackUrl,
    });
    expect((await statusOf(filtered.id, 'FAILED')).error).toMatchObject({
      code: 'FILTERED',
      rawCode: '30007',
    });
  });
});

describe('inbound from carriers', () => {
  async function inboundOf(body: string): Promise<Record<string, unknown>> {
    return eventually(`inbound "${body}"`, async () => {
      const rows = await stack.sql(
        `SELECT m.*, c.our_number, c.contact_number FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id
          WHERE m.direction = 'INBOUND' AND m.body = $1`,
        [body],
      );
      return rows[0];
    });
  }

  it('Twilio: an inbound SMS lands in the conversation of (contact, receiving number)', async () => {
    const params = twilioInboundParams(TWILIO_SID, CONTACT, TWILIO_NUMBER, 'Reply via Twilio');
    const answer = await postTwilio(local(twilioAccount.inboundWebhookUrl), TWILIO_TOKEN, params, {
      signedUrl: twilioAccount.inboundWebhookUrl,
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<Response/>');
    const row = await inboundOf('Reply via Twilio');
    expect(row).toMatchObject({
      org_id: org,
      status: 'RECEIVED',
      route: 'TWILIO',
      from_number: CONTACT,
      to_number: TWILIO_NUMBER,
      external_id: params.MessageSid,
      our_number: TWILIO_NUMBER,
      contact_number: CONTACT,
    });
    // The outbound Twilio messages to the contact are in the same conversation.
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND direction = 'OUTBOUND'`,
      [row.conversation_id],
    );
    expect(n).toBeGreaterThan(0);
  });

  it('Telnyx: an inbound MMS lands with its media; a replay stores nothing more', async () => {
    const event = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'Reply via Telnyx', [
      'https://media.telnyx.example/1.jpg',
    ]);
    const url = local(telnyxAccount.inboundWebhookUrl);
    expect((await postTelnyx(url, telnyxKey.privateKey, event)).status).toBe(204);
    const row = await inboundOf('Reply via Telnyx');
    expect(row).toMatchObject({
      route: 'TELNYX',
      from_number: CONTACT,
      to_number: TELNYX_NUMBER,
      media_urls: ['https://media.telnyx.example/1.jpg'],
      our_number: TELNYX_NUMBER,
    });
    const before = await counts();
    expect((await postTelnyx(url, telnyxKey.privateKey, event)).status).toBe(204);
    expect(await counts()).toEqual(before);
  });
});

describe('an organization messaging does not know yet', () => {
  it('takes its inbound SMS at once: its carrier account vouches for it (the carrier need not retry)', async () => {
    const other = app.gql(await stack.tokens.user(otherOrg, 'CUSTOMER'));
    const [theirs] = (await other.expectData<{ carrierAccounts: AccountView[] }>(LIST))
      .carrierAccounts;
    await other.expectData(ADD_NUMBER, {
      input: { carrierAccountId: theirs!.id, number: '+14155550199' },
    });
    expect(await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1`, [otherOrg])).toEqual(
      [],
    );
    const params = twilioInboundParams(TWILIO_SID, CONTACT, '+14155550199', 'Before its event');
    const post = () =>
      postTwilio(local(theirs!.inboundWebhookUrl), TWILIO_TOKEN, params, {
        signedUrl: theirs!.inboundWebhookUrl,
      });
    expect((await post()).status).toBe(200);
    const rows = await stack.sql(
      `SELECT org_id, to_number FROM messages WHERE direction = 'INBOUND' AND body = 'Before its event'`,
    );
    expect(rows).toEqual([{ org_id: otherOrg, to_number: '+14155550199' }]);
    // A retry (the carrier's or a replay) stores nothing more.
    const before = await counts();
    expect((await post()).status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe('refused callbacks write nothing', () => {
  it('bad Twilio signature, another account’s token, unknown account, missing signature → 401', async () => {
    const params = twilioInboundParams(TWILIO_SID, CONTACT, TWILIO_NUMBER, 'forged');
    const before = await counts();
    const url = local(twilioAccount.inboundWebhookUrl);
    expect((await postTwilio(url, TWILIO_TOKEN, params, { signature: 'AAAA' })).status).toBe(401);
    // Signed over the app's own URL instead of the public one Twilio calls: refused.
    expect((await postTwilio(url, TWILIO_TOKEN, params)).status).toBe(401);
    const unknown = local(twilioAccount.inboundWebhookUrl).replace(twilioAccount.id, randomUUID());
    expect((await postTwilio(unknown, TWILIO_TOKEN, params)).status).toBe(401);
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        })
      ).status,
    ).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('stale or future Telnyx timestamps, another key, a tampered body → 401', async () => {
    const event = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'stale');
    const url = local(telnyxAccount.inboundWebhookUrl);
    const now = Math.floor(Date.now() / 1000);
    const before = await counts();
    expect(
      (await postTelnyx(url, telnyxKey.privateKey, event, { timestamp: now - 301 })).status,
    ).toBe(401);
    expect(
      (await postTelnyx(url, telnyxKey.privateKey, event, { timestamp: now + 301 })).status,
    ).toBe(401);
    expect((await postTelnyx(url, telnyxKeyPair().privateKey, event)).status).toBe(401);
    const signedOther = telnyxInboundEvent(CONTACT, TELNYX_NUMBER, 'other');
    const { sign } = await import('node:crypto');
    const ts = String(now);
    const sig = sign(
      null,
      Buffer.from(`${ts}|${JSON.stringify(signedOther)}`),
      telnyxKey.privateKey,
    ).toString('base64');
    expect(
      (await postTelnyx(url, telnyxKey.privateKey, event, { timestamp: now, signature: sig }))
        .status,
    ).toBe(401);
    // A Twilio-signed post to the Telnyx account, and a Telnyx post to a Twilio account.
    const twilioUrl = local(twilioAccount.statusCallbackUrl)
      .replace('/twilio/', '/telnyx/')
      .replace('/status', '');
    expect((await postTelnyx(twilioUrl, telnyxKey.privateKey, event)).status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('retention of carriers’ bookkeeping', () => {
  it('purges callback receipts after the request-log period, sends and sticky senders after the metadata period', async () => {
    const jobs = app.app.get<RetentionStep[]>(RETENTION_STEPS).map((step) => step.job);
    expect(jobs).toEqual(
      expect.arrayContaining([
        'carrier-callback-receipts',
        'carrier-sends',
        'carrier-sticky-senders',
      ]),
    );
    const count = async (table: string) =>
      (
        await stack.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`,
          [org],
        )
      )[0]!.n;
    expect(await count('carrier_callback_receipts')).toBeGreaterThan(0);
    expect(await count('carrier_sends')).toBeGreaterThan(0);
    expect(await count('carrier_sticky_senders')).toBeGreaterThan(0);
    const [receipts, sends, sticky] = app.app.get(CarrierRetentionSteps).all();
    const dataSource = app.app.get(DataSource);
    const future = new Date(Date.now() + 60_000);
    const past = new Date(0);
    const run = (step: RetentionStep, cut: { requestLogsBefore: Date; metadataBefore: Date }) =>
      inTenantTransaction(dataSource, org, (tx) =>
        step!.batch(tx, { bodiesBefore: past, auditBefore: past, ...cut }, 1000, org),
      );
    // Nothing is old enough yet.
    for (const step of [receipts!, sends!, sticky!]) {
      expect((await run(step, { requestLogsBefore: past, metadataBefore: past })).more).toBe(false);
    }
    expect(await count('carrier_callback_receipts')).toBeGreaterThan(0);
    await run(receipts!, { requestLogsBefore: future, metadataBefore: past });
    expect(await count('carrier_callback_receipts')).toBe(0);
    expect(await count('carrier_sends')).toBeGreaterThan(0);
    await run(sends!, { requestLogsBefore: past, metadataBefore: future });
    await run(sticky!, { requestLogsBefore: past, metadataBefore: future });
    expect(await count('carrier_sends')).toBe(0);
    expect(await count('carrier_sticky_senders')).toBe(0);
  });
});
