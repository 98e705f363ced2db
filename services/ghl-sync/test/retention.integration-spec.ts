// ghl-sync's retention under the organization's periods (the defaults: bodies 7 days, request
// logs 30 days): provider messages' numbers go after a week, the request log and finished
// callbacks after a month; pending callbacks and other organizations' rows stay.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, Topics } from '@switchboard/contracts';
import { RetentionJob } from '@switchboard/retention';
import { eventually } from '@switchboard/testing';
import { startGhlSyncHarness, type GhlSyncHarness } from './support/ghl-sync-harness';

const DAY = 86_400_000;
let h: GhlSyncHarness;
const org = randomUUID();
const other = randomUUID();

const count = async (sql: string, orgId: string) =>
  (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, [orgId]))[0].n;

beforeAll(async () => {
  h = await startGhlSyncHarness({
    RETENTION_INTERVAL_MS: '3600000',
    GHL_CALLBACK_INTERVAL_MS: '60000',
  });
  await h.publish(Topics.accounts.organization, org, org, {
    orgId: org,
    occurredAt: timestampFromDate(new Date()),
    event: {
      case: 'created',
      value: {
        organization: {
          orgId: org,
          name: 'Acme',
          slug: 'acme',
          status: accountsV1.OrganizationStatus.ACTIVE,
        },
      },
    },
  });
  await eventually(async () => {
    const known = await h.sql(`SELECT 1 FROM retention_policies WHERE tenant_id = $1`, [org]);
    if (known.length === 0) throw new Error('not registered yet');
  }, 15_000);
  for (const orgId of [org, other]) {
    await h.sql(
      `INSERT INTO request_log (org_id, id, operation, method, path, status, duration_ms, at)
       VALUES ($1, $2, 'conversations.messageStatus', 'PUT', '/x', 200, 5, now())`,
      [orgId, randomUUID()],
    );
    await h.sql(
      `INSERT INTO provider_messages (org_id, ghl_message_id, location_id, contact_phone, status, received_at, updated_at)
       VALUES ($1, $2, 'l', '+14155550100', 'DELIVERED', now(), now())`,
      [orgId, randomUUID()],
    );
    for (const state of ['DONE', 'PENDING']) {
      await h.sql(
        `INSERT INTO callbacks (org_id, id, location_id, kind, subject, payload, state, next_attempt_at, created_at, done_at)
         VALUES ($1, $2, 'l', 'MESSAGE_STATUS', 's', '{}', $3, now(), now(), CASE WHEN $3 = 'DONE' THEN now() END)`,
        [orgId, randomUUID(), state],
      );
    }
  }
});

afterAll(async () => {
  await h?.close();
});

describe('ghl-sync retention', () => {
  it('forgets numbers after the body period, the request log and finished callbacks after theirs', async () => {
    const t0 = Date.now();
    const run = () => h.app.get(RetentionJob).runOnce();
    const phones = () =>
      count(`provider_messages WHERE org_id = $1 AND contact_phone IS NOT NULL`, org);

    h.clock.set(new Date(t0 + 6 * DAY));
    await run();
    expect(await phones()).toBe(1);

    h.clock.set(new Date(t0 + 8 * DAY));
    await run();
    expect(await phones()).toBe(0);
    expect(await count(`request_log WHERE org_id = $1`, org)).toBe(1);

    h.clock.set(new Date(t0 + 31 * DAY));
    const summary = await run();
    expect(await count(`request_log WHERE org_id = $1`, org)).toBe(0);
    expect(await count(`callbacks WHERE org_id = $1 AND state = 'DONE'`, org)).toBe(0);
    expect(await count(`callbacks WHERE org_id = $1 AND state = 'PENDING'`, org)).toBe(1);
    expect(await count(`provider_messages WHERE org_id = $1`, org)).toBe(1);
    expect(summary.reports).toContainEqual(
      expect.objectContaining({ orgId: org, job: 'request-log', counts: { requests_deleted: 1 } }),
    );
    // An organization retention does not know about is not touched.
    expect(await count(`request_log WHERE org_id = $1`, other)).toBe(1);
    h.clock.reset();
  });
});
