// Billing's part of privacy requests: an organization's export holds its billing records (plan,
// usage, wallet ledger, card summaries) and names the ledgers as a legal hold; a phone number has
// nothing in billing (metering keeps the destination's country only), so its export is empty and
// its erasure erases nothing — and a scan of every billing table finds the number nowhere.
import { randomUUID } from 'node:crypto';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { eventually, type EventWatcher } from '@switchboard/testing';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';

const NUMBER = '+14155550142';
let h: BillingHarness;
let replies: EventWatcher<typeof complianceV1.PrivacyReplySchema>;
const org = randomUUID();
const otherOrg = randomUUID();

async function request(
  kind: complianceV1.PrivacyRequestKind,
  subject: { kind: complianceV1.PrivacySubjectKind; phoneNumber?: string },
): Promise<string> {
  const requestId = randomUUID();
  await h.publish(Topics.compliance.privacyRequest, requestId, org, {
    requestId,
    orgId: org,
    kind,
    subject,
  });
  return requestId;
}

const done = (requestId: string, reply: 'exportDone' | 'erasureDone') =>
  replies.waitFor((e) => e.message.requestId === requestId && e.message.reply.case === reply);

beforeAll(async () => {
  h = await startBillingHarness({ PRIVACY_PAGE_SIZE: '2', PRIVACY_WORKER_INTERVAL_MS: '100' });
  replies = await h.watch(Topics.compliance.privacyReply);
  for (const orgId of [org, otherOrg]) {
    await h.organizationCreated(orgId);
    for (let i = 0; i < 3; i++) {
      await h.messageEvent({
        orgId,
        messageId: randomUUID(),
        kind: messagingV1.MessageEventKind.QUEUED,
        to: NUMBER,
      });
    }
  }
  await h.sql(
    `INSERT INTO payment_methods (org_id, stripe_payment_method_id, brand, last4, exp_month,
       exp_year, updated_at) VALUES ($1, 'pm_card_visa', 'visa', '4242', 12, 2031, now())`,
    [org],
  );
  await eventually(async () => {
    const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM usage_entries`);
    if (n < 6) throw new Error('not metered yet');
  }, 20_000);
});

afterAll(async () => {
  await h?.close();
});

describe('billing privacy', () => {
  it('exports the organization’s billing records, its ledgers under a legal hold', async () => {
    const exportId = await request(complianceV1.PrivacyRequestKind.EXPORT, {
      kind: complianceV1.PrivacySubjectKind.ORGANIZATION,
    });
    const finished = await done(exportId, 'exportDone');
    expect(finished.message.service).toBe('billing');
    const value = finished.message.reply.value as complianceV1.PrivacyExportDone;
    expect(value.counts).toEqual({
      plan: 1n,
      usage: 3n,
      walletLedger: 0n,
      paymentMethods: 1n,
      autoRechargeAttempts: 0n,
    });
    expect(value.legalHolds).toEqual([
      expect.objectContaining({
        data: 'usage ledger and wallet ledger (usage_entries, wallet_entries)',
        count: 3n,
      }),
    ]);
    const items = replies.events
      .filter((e) => e.message.requestId === exportId && e.message.reply.case === 'exportChunk')
      .flatMap((e) => (e.message.reply.value as complianceV1.PrivacyExportChunk).items)
      .map((i) => JSON.parse(i) as Record<string, unknown>);
    const others = await h.sql<{ id: string }>(
      `SELECT message_id::text AS id FROM usage_entries WHERE org_id = $1`,
      [otherOrg],
    );
    const text = JSON.stringify(items);
    for (const { id } of others) expect(text).not.toContain(id);
    expect(items).toContainEqual(expect.objectContaining({ planId: 'free' }));
    expect(items).toContainEqual(
      expect.objectContaining({ id: 'pm_card_visa', brand: 'visa', last4: '4242' }),
    );
    expect(text).not.toContain(NUMBER.slice(2));
  });

  it('has nothing of a phone number: an empty export, an erasure that erases nothing', async () => {
    const subject = { kind: complianceV1.PrivacySubjectKind.PHONE_NUMBER, phoneNumber: NUMBER };
    const exportId = await request(complianceV1.PrivacyRequestKind.EXPORT, subject);
    const exported = (await done(exportId, 'exportDone')).message.reply
      .value as complianceV1.PrivacyExportDone;
    expect(Object.values(exported.counts).every((n) => n === 0n)).toBe(true);
    expect(exported.legalHolds).toEqual([]);
    const erasureId = await request(complianceV1.PrivacyRequestKind.ERASURE, subject);
    const erased = (await done(erasureId, 'erasureDone')).message.reply
      .value as complianceV1.PrivacyErasureDone;
    expect(erased.counts).toEqual({});

    // Every billing table, scanned as the superuser: the number (its national digits) nowhere.
    const tables = await h.sql<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
    );
    for (const { name } of tables) {
      const found = await h.sql(`SELECT 1 FROM "${name}" t WHERE t::text LIKE $1`, [
        `%${NUMBER.slice(2)}%`,
      ]);
      expect({ name, found }).toEqual({ name, found: [] });
    }
  });
});
