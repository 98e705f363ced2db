// ghl-sync's part of privacy requests: a number's provider messages and callbacks exported in
// chunks (nothing of another number or tenant), then erased (the number leaves provider
// messages, pending inbound texts deleted, a pending DND update kept as the legal hold),
// confirmed on compliance.privacy-reply.v1.
import { randomUUID } from 'node:crypto';
import { complianceV1, Topics } from '@switchboard/contracts';
import type { EventWatcher } from '@switchboard/testing';
import { startGhlSyncHarness, type GhlSyncHarness } from './support/ghl-sync-harness';

let h: GhlSyncHarness;
let replies: EventWatcher<typeof complianceV1.PrivacyReplySchema>;
const org = randomUUID();
const otherOrg = randomUUID();
const number = '+14155550142';

async function delivery(orgId: string, phone: string): Promise<string> {
  const id = `ghl-${randomUUID().slice(0, 12)}`;
  await h.sql(
    `INSERT INTO provider_messages (org_id, ghl_message_id, location_id, contact_phone, status, received_at, updated_at)
     VALUES ($1, $2, 'loc-1', $3, 'DELIVERED', now(), now())`,
    [orgId, id, phone],
  );
  return id;
}

async function callback(orgId: string, kind: string, payload: Record<string, unknown>) {
  await h.sql(
    `INSERT INTO callbacks (org_id, id, location_id, kind, subject, payload, state, next_attempt_at, created_at)
     VALUES ($1, $2, 'loc-1', $3, 'number:x', $4, 'PENDING', now() + interval '1 hour', now())`,
    [orgId, randomUUID(), kind, JSON.stringify({ kind, ...payload })],
  );
}

async function request(kind: complianceV1.PrivacyRequestKind): Promise<string> {
  const requestId = randomUUID();
  await h.publish(Topics.compliance.privacyRequest, requestId, org, {
    requestId,
    orgId: org,
    kind,
    subject: { kind: complianceV1.PrivacySubjectKind.PHONE_NUMBER, phoneNumber: number },
  });
  return requestId;
}

beforeAll(async () => {
  h = await startGhlSyncHarness({
    PRIVACY_PAGE_SIZE: '2',
    PRIVACY_WORKER_INTERVAL_MS: '100',
    GHL_CALLBACK_INTERVAL_MS: '60000',
  });
  replies = await h.watch(Topics.compliance.privacyReply);
});

afterAll(async () => {
  await h?.close();
});

describe('ghl-sync privacy', () => {
  it('exports a number’s provider messages and callbacks, then erases what is not held', async () => {
    const ids = [
      await delivery(org, number),
      await delivery(org, number),
      await delivery(org, number),
    ];
    await delivery(org, '+14155550999');
    await delivery(otherOrg, number);
    await callback(org, 'INBOUND_MESSAGE', {
      phone: number,
      body: 'call me',
      messageId: randomUUID(),
    });
    await callback(org, 'CONTACT_DND', { phone: number, set: true });

    const exportId = await request(complianceV1.PrivacyRequestKind.EXPORT);
    const done = await replies.waitFor(
      (e) => e.message.requestId === exportId && e.message.reply.case === 'exportDone',
    );
    expect(done.message.service).toBe('ghl-sync');
    expect(done.message.reply.value).toMatchObject({
      counts: { ghlProviderMessages: 3n, ghlCallbacks: 2n },
    });
    const items = replies.events
      .filter((e) => e.message.requestId === exportId && e.message.reply.case === 'exportChunk')
      .flatMap((e) => (e.message.reply.value as complianceV1.PrivacyExportChunk).items)
      .map((i) => JSON.parse(i) as { ghlMessageId?: string; phoneNumber?: string });
    expect(
      items
        .filter((i) => i.ghlMessageId)
        .map((i) => i.ghlMessageId)
        .sort(),
    ).toEqual([...ids].sort());
    expect(JSON.stringify(items)).not.toContain('4155550999');

    const erasureId = await request(complianceV1.PrivacyRequestKind.ERASURE);
    const erased = await replies.waitFor(
      (e) => e.message.requestId === erasureId && e.message.reply.case === 'erasureDone',
    );
    expect(erased.message.reply.value).toMatchObject({
      counts: { provider_numbers_cleared: 3n, pending_inbound_deleted: 1n },
    });
    expect(
      await h.sql(`SELECT 1 FROM provider_messages WHERE org_id = $1 AND contact_phone = $2`, [
        org,
        number,
      ]),
    ).toEqual([]);
    const left = await h.sql<{ kind: string }>(
      `SELECT kind FROM callbacks WHERE org_id = $1 AND payload->>'phone' = $2`,
      [org, number],
    );
    expect(left).toEqual([{ kind: 'CONTACT_DND' }]);
    expect(
      await h.sql(`SELECT 1 FROM provider_messages WHERE org_id = $1 AND contact_phone = $2`, [
        otherOrg,
        number,
      ]),
    ).toHaveLength(1);
  });
});
