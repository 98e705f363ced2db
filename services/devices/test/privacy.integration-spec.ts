// The devices' part of privacy requests: a number's dispatch attempts exported in ordered
// chunks (nothing of another number or tenant), then erased (body emptied, number replaced by
// a pseudonym), confirmed on compliance.privacy-reply.v1.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { complianceV1, Topics } from '@switchboard/contracts';
import { cloudEventRecord, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';

let h: DevicesHarness;
let producer: Producer;
let replies: EventWatcher<typeof complianceV1.PrivacyReplySchema>;
const org = randomUUID();
const otherOrg = randomUUID();
const number = '+14155550142';

async function attempt(orgId: string, to: string, body: string, at: Date): Promise<string> {
  const id = randomUUID();
  await h.sql(
    `INSERT INTO device_messages (id, org_id, message_id, attempt, state, to_e164, body, segments,
       created_at, updated_at, sent_at)
     VALUES ($1, $2, $3, 1, 'SENT', $4, $5, 1, $6, $6, $6)`,
    [id, orgId, randomUUID(), to, body, at],
  );
  return id;
}

async function request(kind: complianceV1.PrivacyRequestKind): Promise<string> {
  const requestId = randomUUID();
  const event = create(complianceV1.PrivacyRequestSchema, {
    requestId,
    orgId: org,
    kind,
    subject: { kind: complianceV1.PrivacySubjectKind.PHONE_NUMBER, phoneNumber: number },
  });
  await producer.send({
    topic: Topics.compliance.privacyRequest.name,
    messages: [
      cloudEventRecord(Topics.compliance.privacyRequest, requestId, event, {
        orgId: org,
        service: 'compliance',
      }),
    ],
  });
  return requestId;
}

beforeAll(async () => {
  h = await startDevicesHarness({ PRIVACY_PAGE_SIZE: '2', PRIVACY_WORKER_INTERVAL_MS: '100' });
  producer = new Kafka({
    clientId: 'privacy-test',
    brokers: h.broker.brokers,
    logLevel: logLevel.NOTHING,
  }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  replies = await h.watch(Topics.compliance.privacyReply);
});

afterAll(async () => {
  await producer?.disconnect();
  await h?.close();
});

describe('devices privacy', () => {
  it('exports a number’s dispatch attempts, then erases them', async () => {
    const t0 = Date.now();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await attempt(org, number, `code ${i}`, new Date(t0 + i)));
    await attempt(org, '+14155550999', 'not yours', new Date(t0));
    await attempt(otherOrg, number, 'another tenant', new Date(t0));

    const exportId = await request(complianceV1.PrivacyRequestKind.EXPORT);
    const done = await replies.waitFor(
      (e) => e.message.requestId === exportId && e.message.reply.case === 'exportDone',
    );
    expect(done.message.service).toBe('devices');
    expect(done.message.reply.value).toMatchObject({
      chunks: 2,
      counts: { deviceMessages: 3n, devices: 0n, enrollmentTokens: 0n },
    });
    const items = replies.events
      .filter((e) => e.message.requestId === exportId && e.message.reply.case === 'exportChunk')
      .flatMap((e) => (e.message.reply.value as complianceV1.PrivacyExportChunk).items)
      .map((i) => JSON.parse(i) as { id: string; body: string });
    expect(items.map((i) => i.id)).toEqual(ids);
    expect(JSON.stringify(items)).not.toMatch(/not yours|another tenant/);

    const erasureId = await request(complianceV1.PrivacyRequestKind.ERASURE);
    const erased = await replies.waitFor(
      (e) => e.message.requestId === erasureId && e.message.reply.case === 'erasureDone',
    );
    expect(erased.message.reply.value).toMatchObject({
      counts: { device_messages_anonymized: 3n },
    });
    expect(
      await h.sql(`SELECT 1 FROM device_messages WHERE org_id = $1 AND to_e164 = $2`, [
        org,
        number,
      ]),
    ).toEqual([]);
    const rows = await h.sql<{ body: string; to_e164: string }>(
      `SELECT body, to_e164 FROM device_messages WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows.every((r) => r.body === '' && r.to_e164.startsWith('erased-'))).toBe(true);
    expect(
      await h.sql(`SELECT 1 FROM device_messages WHERE org_id = $1 AND to_e164 = $2`, [
        otherOrg,
        number,
      ]),
    ).toHaveLength(1);
  });
});
