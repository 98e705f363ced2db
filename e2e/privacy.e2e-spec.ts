// GDPR/CCPA end to end, through the gateway: a phone number's data from every service (accounts,
// devices, messaging, compliance) exported as one JSON document behind a signed link served by
// the public entry point, nothing of another tenant in it; then its erasure, after which a query
// of EVERY service database finds the number only in the documented legal holds (the opt-out).
import { Client } from 'pg';
import type { GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { customer, until } from './support';
import { enrollPhone, stopPhones, type EnrollOptions } from './phones';

/** Quick phones: 20 ms to send, 20 ms to be delivered. */
const PHONE: EnrollOptions = { name: 'privacy phone', sendDelayMs: 20, deliveryDelayMs: 20 };

const p = platform();
const NUMBER = '+14155550142';
const DIGITS = NUMBER.slice(2);
const REQUEST = `id status downloadUrl participants { service confirmed legalHolds { data count } }`;

interface PrivacyRequest {
  id: string;
  status: string;
  downloadUrl: string | null;
  participants: { service: string; confirmed: boolean; legalHolds: { data: string }[] }[];
}

afterAll(stopPhones);

async function delivered(api: GraphQLClient, body: string): Promise<string> {
  const { sendMessage } = await api.expectData<{ sendMessage: { id: string } }>(
    'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
    { input: { to: NUMBER, body } },
  );
  await until(`${body} DELIVERED`, async () => {
    const { message } = await api.expectData<{ message: { status: string } }>(
      'query($id: ID!) { message(id: $id) { status } }',
      { id: sendMessage.id },
    );
    return message.status === 'DELIVERED';
  });
  return sendMessage.id;
}

async function completed(api: GraphQLClient, id: string): Promise<PrivacyRequest> {
  return until(
    'the privacy request to complete',
    async () => {
      const { privacyRequest } = await api.expectData<{ privacyRequest: PrivacyRequest }>(
        `query($id: ID!) { privacyRequest(id: $id) { ${REQUEST} } }`,
        { id },
      );
      return privacyRequest.status === 'COMPLETED' && privacyRequest;
    },
    60_000,
  );
}

/** Every table of a service's database, as its owner in the tenant: rows whose text has `needle`. */
async function rowsMentioning(
  service: string,
  orgId: string,
  needle: string,
): Promise<Record<string, number>> {
  const db = new Client({ connectionString: p.process(service).databaseOwnerUrl });
  await db.connect();
  try {
    await db.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    const { rows: tables } = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const found: Record<string, number> = {};
    for (const { name } of tables) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE $1`,
        [`%${needle}%`],
      );
      if (rows[0].n > 0) found[name] = rows[0].n;
    }
    return found;
  } finally {
    await db.end();
  }
}

describe('GDPR/CCPA: export and erasure of a phone number across every service', () => {
  let a: { api: GraphQLClient; orgId: string };
  let b: { api: GraphQLClient; orgId: string };
  /** The phone number's export link (it must stop working once the number is erased). */
  let exportLink: string;

  beforeAll(async () => {
    a = await customer('privacy');
    b = await customer('privacy-other');
    await enrollPhone(a.api, PHONE);
    await enrollPhone(b.api, PHONE);
    await delivered(a.api, 'secret hello A1');
    await delivered(a.api, 'secret hello A2');
    await delivered(b.api, 'other tenant B');
    await a.api.expectData(
      `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { consent } }`,
      {
        input: {
          phoneNumber: NUMBER,
          source: 'WEB_FORM',
          ip: '203.0.113.7',
          text: 'Yes, text me offers',
        },
      },
    );
    await a.api.expectData(
      `mutation { optOut(phoneNumber: "${NUMBER}", reason: "asked us on the phone") { optedOut } }`,
    );
  });

  it('exports the number from every service as one JSON document, through the gateway, nothing of another tenant', async () => {
    const { requestDataExport } = await a.api.expectData<{ requestDataExport: PrivacyRequest }>(
      `mutation { requestDataExport(subject: { kind: PHONE_NUMBER, phoneNumber: "${NUMBER}" }) { ${REQUEST} } }`,
    );
    const done = await completed(a.api, requestDataExport.id);
    expect(done.participants.map((x) => [x.service, x.confirmed])).toEqual([
      ['accounts', true],
      ['billing', true],
      ['compliance', true],
      ['devices', true],
      ['ghl-sync', true],
      ['messaging', true],
    ]);
    const link = new URL(done.downloadUrl!);
    exportLink = `${new URL(p.graphqlUrl!).origin}${link.pathname}${link.search}`;
    const response = await fetch(exportLink);
    expect(response.status).toBe(200);
    const text = await response.text();
    const document = JSON.parse(text) as {
      services: Record<string, Record<string, { body?: string; to?: string }[]>>;
      legalHolds: { service: string; data: string }[];
    };
    const bodies = document.services.messaging.messages.map((m) => m.body).sort();
    expect(bodies).toEqual(['secret hello A1', 'secret hello A2']);
    expect(document.services.devices.deviceMessages.length).toBeGreaterThanOrEqual(2);
    expect(document.services.devices.deviceMessages.every((m) => m.to === NUMBER)).toBe(true);
    expect(document.services.compliance.suppressionHistory.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('Yes, text me offers');
    expect(text).not.toContain('other tenant B');
    expect(document.legalHolds).toEqual(
      expect.arrayContaining([expect.objectContaining({ service: 'compliance' })]),
    );
  });

  it('exports a user’s own data (accounts, devices, compliance) for themself', async () => {
    const { requestDataExport } = await a.api.expectData<{ requestDataExport: PrivacyRequest }>(
      `mutation { requestDataExport(subject: { kind: USER }) { ${REQUEST} } }`,
    );
    const done = await completed(a.api, requestDataExport.id);
    const link = new URL(done.downloadUrl!);
    const response = await fetch(`${new URL(p.graphqlUrl!).origin}${link.pathname}${link.search}`);
    const document = (await response.json()) as {
      subject: { kind: string; userId: string };
      services: Record<string, Record<string, Record<string, unknown>[]>>;
    };
    expect(document.subject.kind).toBe('USER');
    const [me] = document.services.accounts.members;
    expect(me).toMatchObject({ id: document.subject.userId, role: 'CUSTOMER' });
    expect(String(me.email)).toMatch(/^privacy-.*@example\.com$/);
    expect(JSON.stringify(me)).not.toMatch(/password_hash|\$2[aby]\$/);
    expect(document.services.accounts.sessions.length).toBeGreaterThan(0);
    expect(document.services.devices.enrollmentTokens).toEqual([
      expect.objectContaining({ createdBy: document.subject.userId }),
    ]);
    expect(document.services.compliance.suppressionHistory.length).toBeGreaterThan(0);
    expect(JSON.stringify(document)).not.toContain('other tenant B');
  });

  it('erases the number: no service database holds it any more, except the opt-out (legal hold)', async () => {
    const { requestErasure } = await a.api.expectData<{ requestErasure: PrivacyRequest }>(
      `mutation { requestErasure(subject: { kind: PHONE_NUMBER, phoneNumber: "${NUMBER}" }, confirmation: "${NUMBER}") { ${REQUEST} } }`,
    );
    const done = await completed(a.api, requestErasure.id);
    expect(done.participants.every((x) => x.confirmed)).toBe(true);

    // The documented holds: compliance's opt-out state and its opt-out history, messaging's
    // pre-send copy of it. `outbox` holds already-published events until the retention job
    // deletes them a day later (their Kafka topics follow the catalog's retention).
    const LEGAL_HOLDS: Record<string, string[]> = {
      compliance: ['suppressions', 'suppression_history'],
      messaging: ['suppression_states'],
    };
    for (const service of [
      'accounts',
      'devices',
      'messaging',
      'compliance',
      'billing',
      'ghl-sync',
    ]) {
      const found = await rowsMentioning(service, a.orgId, DIGITS);
      delete found.outbox;
      for (const table of LEGAL_HOLDS[service] ?? []) delete found[table];
      expect({ service, found }).toEqual({ service, found: {} });
      const bodies = await rowsMentioning(service, a.orgId, 'secret hello A');
      delete bodies.outbox;
      expect({ service, bodies }).toEqual({ service, bodies: {} });
    }
    // What stays in compliance is the opt-out only: no consent evidence.
    const held = await rowsMentioning('compliance', a.orgId, 'Yes, text me offers');
    delete held.outbox;
    expect(held).toEqual({});
    // The export made before the erasure is gone with it.
    expect((await fetch(exportLink)).status).toBe(404);
    // The other tenant keeps everything.
    expect(await rowsMentioning('messaging', b.orgId, DIGITS)).toMatchObject({ messages: 1 });
  });
});
