// GDPR/CCPA requests through compliance's API: who may ask; the fan-out on
// compliance.privacy-request.v1; every expected service's answer (the others simulated here,
// compliance answering for itself); completion only when all have confirmed; the export as
// ONE JSON document behind a signed, expiring link; an erasure that keeps the opt-out (legal
// hold) and removes the consent records; nothing of another tenant.
import { randomUUID } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { complianceV1, Topics } from '@switchboard/contracts';
import { eventually, EventWatcher } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

let h: ComplianceHarness;
let requests: EventWatcher<typeof complianceV1.PrivacyRequestSchema>;
const org = randomUUID();
const otherOrg = randomUUID();
const number = '+14155550142';
const REQUEST = `id kind status subject { kind userId phoneNumber } downloadUrl expiresAt
  participants { service confirmed counts { name value } legalHolds { data reason count } }`;

interface PrivacyRequest {
  id: string;
  kind: string;
  status: string;
  subject: { kind: string; userId: string | null; phoneNumber: string | null };
  downloadUrl: string | null;
  expiresAt: string | null;
  participants: {
    service: string;
    confirmed: boolean;
    counts: { name: string; value: number }[];
    legalHolds: { data: string; reason: string; count: number }[];
  }[];
}

/** Another service's answer, as its privacy worker sends it. */
async function answer(
  requestId: string,
  service: string,
  reply: MessageInitShape<typeof complianceV1.PrivacyReplySchema>['reply'],
  orgId = org,
): Promise<void> {
  await h.publish(Topics.compliance.privacyReply, requestId, orgId, {
    requestId,
    orgId,
    service,
    reply,
  });
}

async function state(id: string, orgId = org): Promise<PrivacyRequest> {
  const owner = await h.owner(orgId);
  return (
    await owner.expectData<{ privacyRequest: PrivacyRequest }>(
      `query($id: ID!) { privacyRequest(id: $id) { ${REQUEST} } }`,
      { id },
    )
  ).privacyRequest;
}

beforeAll(async () => {
  // The four services this test answers for (the default also expects billing).
  h = await startComplianceHarness({
    PRIVACY_WORKER_INTERVAL_MS: '100',
    PRIVACY_PAGE_SIZE: '2',
    PRIVACY_PARTICIPANTS: 'accounts,devices,messaging,compliance',
  });
  requests = await h.watch(Topics.compliance.privacyRequest);
  await h.organizationCreated(org);
  await h.organizationCreated(otherOrg, 'Other');
  // Compliance's own data of the number: opted out (kept), with consent evidence (erased).
  for (const orgId of [org, otherOrg]) {
    await h.sql(
      `INSERT INTO suppressions (org_id, phone_number, opted_out, opted_out_changed_at, opt_out_source,
         consent, consent_changed_at, consent_source, version, updated_at)
       VALUES ($1, $2, true, now(), 'INBOUND_KEYWORD', true, now(), 'WEB_FORM', 2, now())`,
      [orgId, number],
    );
    await h.sql(
      `INSERT INTO suppression_history (id, org_id, phone_number, kind, source, actor_type, actor_id,
         ip, consent_text, occurred_at, recorded_at)
       VALUES ($1, $2, $3, 'CONSENT_GRANTED', 'WEB_FORM', 'user', 'u', '203.0.113.9',
         $4, now(), now()),
              ($5, $2, $3, 'OPT_OUT', 'INBOUND_KEYWORD', 'service', 'compliance', NULL, NULL, now(), now())`,
      [
        randomUUID(),
        orgId,
        number,
        orgId === org ? 'Yes, text me' : 'other tenant text',
        randomUUID(),
      ],
    );
  }
});

afterAll(async () => {
  await h?.close();
});

describe('privacy requests', () => {
  it('lets a member export only their own data, and the owner a number', async () => {
    const member = await h.member(org);
    const denied = await member.request(
      `mutation { requestDataExport(subject: { kind: PHONE_NUMBER, phoneNumber: "${number}" }) { id } }`,
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await member.expectData<{ requestDataExport: PrivacyRequest }>(
      `mutation { requestDataExport(subject: { kind: USER }) { ${REQUEST} } }`,
    );
    expect(own.requestDataExport.subject.kind).toBe('USER');
    const owner = await h.owner(org);
    const bad = await owner.request(
      `mutation { requestDataExport(subject: { kind: PHONE_NUMBER, phoneNumber: "12" }) { id } }`,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_NUMBER');
    const org_ = await owner.request(
      `mutation { requestErasure(subject: { kind: ORGANIZATION }, confirmation: "") { id } }`,
    );
    expect(org_.errors?.[0]?.extensions?.code).toBe('INVALID_SUBJECT');
    const unconfirmed = await owner.request(
      `mutation { requestErasure(subject: { kind: PHONE_NUMBER, phoneNumber: "${number}" }, confirmation: "yes") { id } }`,
    );
    expect(unconfirmed.errors?.[0]?.extensions?.code).toBe('CONFIRMATION_REQUIRED');
  });

  it('exports a number from every service as one streamed JSON document behind a signed link', async () => {
    const owner = await h.owner(org);
    const { requestDataExport: created } = await owner.expectData<{
      requestDataExport: PrivacyRequest;
    }>(
      `mutation { requestDataExport(subject: { kind: PHONE_NUMBER, phoneNumber: "${number}" }) { ${REQUEST} } }`,
    );
    expect(created.status).toBe('PENDING');
    expect(created.participants.map((p) => p.service)).toEqual([
      'accounts',
      'compliance',
      'devices',
      'messaging',
    ]);
    const published = await requests.waitFor((e) => e.message.requestId === created.id);
    expect(published.headers.ce_orgid).toBe(org);
    expect(published.message.subject).toMatchObject({ phoneNumber: number });

    // Compliance answers for itself; the others answer here.
    await eventually(async () => {
      const s = await state(created.id);
      if (!s.participants.find((p) => p.service === 'compliance')!.confirmed)
        throw new Error('compliance has not answered');
    }, 15_000);
    const message = (i: number) => JSON.stringify({ id: `m${i}`, to: number, body: `hello ${i}` });
    await answer(created.id, 'messaging', {
      case: 'exportChunk',
      value: { sequence: 0, section: 'messages', items: [message(0), message(1)] },
    });
    await answer(created.id, 'messaging', {
      case: 'exportChunk',
      value: { sequence: 1, section: 'messages', items: [message(2)] },
    });
    await answer(created.id, 'messaging', {
      case: 'exportChunk',
      value: { sequence: 2, section: 'conversations', items: ['{"id":"c1"}'] },
    });
    await answer(created.id, 'messaging', {
      case: 'exportDone',
      value: { chunks: 3, counts: { messages: 3n, conversations: 1n } },
    });
    await answer(created.id, 'devices', { case: 'exportDone', value: { chunks: 0, counts: {} } });
    // Another tenant's answer to the same id is not this request's.
    await answer(created.id, 'accounts', { case: 'exportDone', value: { chunks: 0 } }, otherOrg);
    expect((await state(created.id)).status).toBe('PENDING');
    await answer(created.id, 'accounts', { case: 'exportDone', value: { chunks: 0 } });

    const ready = await eventually(async () => {
      const s = await state(created.id);
      if (s.status !== 'COMPLETED') throw new Error(`status ${s.status}`);
      return s;
    }, 15_000);
    expect(ready.participants.every((p) => p.confirmed)).toBe(true);
    expect(ready.downloadUrl).toMatch(/^http:\/\/localhost:4000\/downloads\//);
    // The other organization's owner sees nothing of it.
    const foreign = await (
      await h.owner(otherOrg)
    ).request(`query($id: ID!) { privacyRequest(id: $id) { id } }`, { id: created.id });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('PRIVACY_REQUEST_NOT_FOUND');

    const url = new URL(ready.downloadUrl!);
    const response = await fetch(`${h.baseUrl}${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const document = (await response.json()) as {
      exportId: string;
      subject: { phoneNumber: string };
      services: Record<string, Record<string, unknown[]>>;
      counts: Record<string, Record<string, number>>;
      legalHolds: { service: string; data: string; count: number }[];
    };
    expect(document.exportId).toBe(created.id);
    expect(document.subject.phoneNumber).toBe(number);
    expect(Object.keys(document.services)).toEqual([
      'accounts',
      'compliance',
      'devices',
      'messaging',
    ]);
    expect(document.services.messaging.messages).toEqual(
      [0, 1, 2].map((i) => JSON.parse(message(i))),
    );
    expect(document.services.messaging.conversations).toEqual([{ id: 'c1' }]);
    expect(document.services.compliance.suppressions).toEqual([
      expect.objectContaining({ phoneNumber: number, optedOut: true, consent: true }),
    ]);
    expect(document.services.compliance.suppressionHistory).toHaveLength(2);
    expect(JSON.stringify(document)).not.toContain('other tenant text');
    expect(document.legalHolds).toEqual([
      expect.objectContaining({
        service: 'compliance',
        data: 'opt-out / DND state and its history',
      }),
    ]);

    // A changed token, another id or an expired link: not found.
    expect((await fetch(`${h.baseUrl}${url.pathname}?token=x`)).status).toBe(404);
    h.clock.advance(25 * 3600 * 1000);
    expect((await fetch(`${h.baseUrl}${url.pathname}${url.search}`)).status).toBe(404);
    h.clock.reset();
  });

  it('erases a number: consent records gone, the opt-out kept and stated; complete when all confirmed', async () => {
    const owner = await h.owner(org);
    const { requestErasure: created } = await owner.expectData<{ requestErasure: PrivacyRequest }>(
      `mutation { requestErasure(subject: { kind: PHONE_NUMBER, phoneNumber: "${number}" }, confirmation: "${number}") { ${REQUEST} } }`,
    );
    for (const service of ['accounts', 'devices', 'messaging']) {
      await answer(created.id, service, { case: 'erasureDone', value: { counts: { rows: 1n } } });
    }
    const done = await eventually(async () => {
      const s = await state(created.id);
      if (s.status !== 'COMPLETED') throw new Error(`status ${s.status}`);
      return s;
    }, 15_000);
    expect(done.subject.phoneNumber).toBe('+1••••••••42');
    expect(done.participants.find((p) => p.service === 'compliance')).toMatchObject({
      confirmed: true,
      legalHolds: [
        expect.objectContaining({ data: 'opt-out / DND state and its history', count: 2 }),
      ],
    });
    const kept = await h.sql<{ kind: string }>(
      `SELECT kind FROM suppression_history WHERE org_id = $1 AND phone_number = $2`,
      [org, number],
    );
    expect(kept).toEqual([{ kind: 'OPT_OUT' }]);
    const states = await h.sql<{
      opted_out: boolean;
      consent: boolean;
      consent_source: string | null;
    }>(
      `SELECT opted_out, consent, consent_source FROM suppressions WHERE org_id = $1 AND phone_number = $2`,
      [org, number],
    );
    expect(states).toEqual([{ opted_out: true, consent: false, consent_source: null }]);
    // The other tenant's records are untouched.
    const other = await h.sql(
      `SELECT 1 FROM suppression_history WHERE org_id = $1 AND phone_number = $2`,
      [otherOrg, number],
    );
    expect(other).toHaveLength(2);
    // The request itself no longer names the number.
    const stored = await h.sql<{ subject_phone_number: string }>(
      `SELECT subject_phone_number FROM privacy_requests WHERE id = $1`,
      [created.id],
    );
    expect(stored).toEqual([{ subject_phone_number: '+1••••••••42' }]);
  });
});
