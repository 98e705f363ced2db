// Messaging's retention job at its boundaries, with a manual clock: bodies redacted after the
// organization's body retention (day 6 kept, day 8 redacted by default), messages purged after
// its metadata retention (month 23 kept, month 25 purged), the policy projection, the event
// tables, the reports, and a second run that finds nothing to do.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, Topics } from '@switchboard/contracts';
import { monthsBefore } from '@switchboard/retention';
import { EventWatcher, ManualClock } from '@switchboard/testing';
import { RetentionJob } from '@switchboard/retention';
import { FakeService } from './support/fake-devices';
import {
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const DAY = 24 * 3600 * 1000;
const monthsAfter = (d: Date, n: number): Date => monthsBefore(d, -n);

let stack: MessagingStack;
let app: RunningApp;
let accounts: FakeService;
let reports: EventWatcher<typeof Topics.compliance.retentionReport.schema>;
const clock = new ManualClock();
const orgA = randomUUID(); // no policy: the defaults (7 days, 24 months)
const orgB = randomUUID(); // a policy: bodies 30 days, metadata 24 months
let t0: Date;

interface Row {
  id: string;
  body: string | null;
  media_urls: string[];
  body_redacted_at: Date | null;
}

async function message(
  orgId: string,
  fields: { status: string; finalAt?: Date; column?: string; conversationId?: string },
): Promise<string> {
  const id = randomUUID();
  const column = fields.column ?? 'delivered_at';
  await stack.sql(
    `INSERT INTO messages (id, org_id, direction, status, from_number, to_number, body, encoding,
       segments, media_urls, conversation_id, created_at, updated_at${fields.finalAt ? `, ${column}` : ''})
     VALUES ($1, $2, $3, $4, '+14155550100', '+14155550199', 'a secret body', 'GSM7', 1,
       '{https://media.example/1.jpg}', $5, $6, $6${fields.finalAt ? ', $7' : ''})`,
    [
      id,
      orgId,
      column === 'received_at' ? 'INBOUND' : 'OUTBOUND',
      fields.status,
      fields.conversationId ?? null,
      fields.finalAt ?? t0,
      ...(fields.finalAt ? [fields.finalAt] : []),
    ],
  );
  return id;
}

async function conversation(orgId: string): Promise<string> {
  const id = randomUUID();
  await stack.sql(
    `INSERT INTO conversations (id, org_id, contact_number, sender_key, last_message_at, created_at, updated_at)
     VALUES ($1, $2, '+14155550199', $4, $3, $3, $3)`,
    [id, orgId, t0, `device:${id}`],
  );
  return id;
}

const find = async (id: string): Promise<Row | undefined> =>
  (
    await stack.sql<Row>(
      'SELECT id, body, media_urls, body_redacted_at FROM messages WHERE id = $1',
      [id],
    )
  )[0];

const run = () => app.app.get(RetentionJob).runOnce();

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack, { RETENTION_ENABLED: 'false' }, { clock });
  accounts = new FakeService(stack.broker.brokers, 'accounts');
  reports = await EventWatcher.start(Topics.compliance.retentionReport, stack.broker.brokers);
  const compliance = new FakeService(stack.broker.brokers, 'compliance');
  const policy = (version: number, bodyRetentionDays: number) =>
    compliance.publish(Topics.compliance.policy, orgB, orgB, {
      orgId: orgB,
      retention: { bodyRetentionDays, metadataRetentionMonths: 24 },
      version: BigInt(version),
      updatedAt: timestampFromDate(new Date()),
    });
  await handled(stack, [
    await accounts.organization(orgA, {
      slug: 'retention-a',
      name: 'A',
      status: accountsV1.OrganizationStatus.ACTIVE,
    }),
    await policy(3, 30),
    // An older version arriving late changes nothing.
    await policy(2, 1),
  ]);
  await compliance.stop();
  t0 = new Date();
});

afterAll(async () => {
  await accounts?.stop();
  await reports?.stop();
  await app?.close();
  await stack?.stop();
});

describe('messaging retention', () => {
  it('projects the policies: the defaults for an organization without one, the latest version', async () => {
    const policies = await stack.sql<{
      tenant_id: string;
      body_retention_days: number;
      policy_version: string;
    }>(
      'SELECT tenant_id, body_retention_days, policy_version FROM retention_policies ORDER BY tenant_id',
    );
    expect(policies).toEqual(
      expect.arrayContaining([
        { tenant_id: orgA, body_retention_days: 0, policy_version: '0' },
        { tenant_id: orgB, body_retention_days: 30, policy_version: '3' },
      ]),
    );
  });

  it('redacts bodies after the body retention and purges metadata after the metadata retention', async () => {
    const thread = await conversation(orgA);
    const kept = await conversation(orgA);
    const delivered = await message(orgA, { status: 'DELIVERED', finalAt: t0 });
    const received = await message(orgA, {
      status: 'RECEIVED',
      finalAt: t0,
      column: 'received_at',
      conversationId: thread,
    });
    const pending = await message(orgA, { status: 'QUEUED', conversationId: kept });
    const otherOrg = await message(orgB, { status: 'DELIVERED', finalAt: t0 });
    await stack.sql(
      `INSERT INTO processed_events (consumer_group, event_id, topic, processed_at) VALUES ('old', $1, 'x', $2)`,
      [randomUUID(), t0],
    );

    // Day 6: every body is still there.
    clock.set(new Date(t0.getTime() + 6 * DAY));
    await run();
    for (const id of [delivered, received, pending, otherOrg]) {
      expect(await find(id)).toMatchObject({ body: 'a secret body', body_redacted_at: null });
    }

    // Day 8: the final messages of the default organization lose body and media; a message
    // still on its way keeps its body; the other organization keeps 30 days.
    clock.set(new Date(t0.getTime() + 8 * DAY));
    const day8 = await run();
    for (const id of [delivered, received]) {
      const row = await find(id);
      expect(row).toMatchObject({ body: null, media_urls: [] });
      expect(row!.body_redacted_at).toBeInstanceOf(Date);
    }
    expect(await find(pending)).toMatchObject({ body: 'a secret body' });
    expect(await find(otherOrg)).toMatchObject({ body: 'a secret body' });
    expect(day8.reports).toContainEqual(
      expect.objectContaining({
        orgId: orgA,
        job: 'message-bodies',
        counts: { bodies_redacted: 2 },
      }),
    );

    // Again: nothing left to do (idempotent).
    const again = await run();
    expect(again.reports.filter((r) => r.orgId === orgA)).toEqual([]);

    // Month 23: metadata kept.
    clock.set(monthsAfter(t0, 23));
    await run();
    expect(await find(delivered)).toBeDefined();
    expect(await find(received)).toBeDefined();

    // Month 25: the final messages are purged, with their conversation once empty.
    clock.set(monthsAfter(t0, 25));
    const month25 = await run();
    expect(await find(delivered)).toBeUndefined();
    expect(await find(received)).toBeUndefined();
    expect(await find(otherOrg)).toBeUndefined();
    expect(await find(pending)).toBeDefined();
    const conversations = await stack.sql<{ id: string }>(
      'SELECT id FROM conversations WHERE id = ANY($1::uuid[])',
      [[thread, kept]],
    );
    expect(conversations.map((c) => c.id)).toEqual([kept]);
    expect(month25.reports).toContainEqual(
      expect.objectContaining({
        orgId: orgA,
        job: 'message-metadata',
        counts: { messages_purged: 2, conversations_purged: 1 },
      }),
    );
    // The event tables: processed ids older than 35 days go.
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM processed_events WHERE consumer_group = 'old'`,
    );
    expect(n).toBe(0);
  });

  it('publishes each report with the periods in force', async () => {
    const bodies = await reports.waitFor(
      (e) => e.message.orgId === orgA && e.message.job === 'message-bodies',
    );
    expect(bodies.key).toBe(orgA);
    expect(bodies.headers.ce_orgid).toBe(orgA);
    expect(bodies.message).toMatchObject({
      service: 'messaging',
      counts: { bodies_redacted: 2n },
      policy: { bodyRetentionDays: 7, metadataRetentionMonths: 24 },
      policyVersion: 0n,
    });
    const other = await reports.waitFor(
      (e) => e.message.orgId === orgB && e.message.job === 'message-metadata',
    );
    expect(other.message).toMatchObject({
      policy: { bodyRetentionDays: 30 },
      policyVersion: 3n,
    });
    const platform = await reports.waitFor((e) => e.message.job === 'event-tables');
    expect(platform.key).toBe('messaging');
    expect(platform.message.orgId).toBe('');
  });
});
