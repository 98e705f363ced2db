// The devices' retention job at its boundaries, with the app's manual clock: device_messages
// bodies emptied after the organization's body retention (day 6 kept, day 8 emptied by
// default), rows purged after its metadata retention (month 23 kept, month 25 purged).
import { randomUUID } from 'node:crypto';
import { monthsBefore, RetentionJob } from '@switchboard/retention';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';

const DAY = 24 * 3600 * 1000;
const monthsAfter = (d: Date, n: number): Date => monthsBefore(d, -n);

let h: DevicesHarness;
const org = randomUUID();
const strict = randomUUID(); // a policy: bodies 2 days
let t0: Date;

async function deviceMessage(orgId: string, state: string, finalColumn?: string): Promise<string> {
  const id = randomUUID();
  await h.sql(
    `INSERT INTO device_messages (id, org_id, message_id, attempt, state, to_e164, body, segments,
       created_at, updated_at${finalColumn ? `, ${finalColumn}` : ''})
     VALUES ($1, $2, $3, 1, $4, '+14155550199', 'a secret body', 1, $5, $5${finalColumn ? ', $5' : ''})`,
    [id, orgId, randomUUID(), state, t0],
  );
  return id;
}

const find = async (id: string) =>
  (
    await h.sql<{ body: string; body_redacted_at: Date | null }>(
      'SELECT body, body_redacted_at FROM device_messages WHERE id = $1',
      [id],
    )
  )[0];

const run = () => h.app.get(RetentionJob).runOnce();

beforeAll(async () => {
  h = await startDevicesHarness({ RETENTION_ENABLED: 'false' });
  await h.sql(`INSERT INTO retention_policies (tenant_id) VALUES ($1)`, [org]);
  await h.sql(
    `INSERT INTO retention_policies (tenant_id, body_retention_days, policy_version) VALUES ($1, 2, 5)`,
    [strict],
  );
  t0 = new Date();
});

afterAll(async () => {
  await h?.close();
});

describe('devices retention', () => {
  it('empties bodies after the body retention and purges rows after the metadata retention', async () => {
    const sent = await deviceMessage(org, 'SENT', 'sent_at');
    const released = await deviceMessage(org, 'RELEASED', 'released_at');
    const queued = await deviceMessage(org, 'QUEUED');
    const strictSent = await deviceMessage(strict, 'SENT', 'sent_at');

    h.clock.set(new Date(t0.getTime() + 6 * DAY));
    await run();
    expect(await find(sent)).toMatchObject({ body: 'a secret body', body_redacted_at: null });
    expect(await find(released)).toMatchObject({ body: 'a secret body' });
    // The stricter organization's policy (2 days) applies to its own rows only.
    expect(await find(strictSent)).toMatchObject({ body: '' });

    h.clock.set(new Date(t0.getTime() + 8 * DAY));
    const day8 = await run();
    for (const id of [sent, released]) {
      const row = await find(id);
      expect(row.body).toBe('');
      expect(row.body_redacted_at).toBeInstanceOf(Date);
    }
    expect(await find(queued)).toMatchObject({ body: 'a secret body' });
    expect(day8.reports).toContainEqual(
      expect.objectContaining({
        orgId: org,
        job: 'device-message-bodies',
        counts: { bodies_redacted: 2 },
        policyVersion: 0,
      }),
    );
    expect((await run()).reports.filter((r) => r.orgId === org)).toEqual([]);

    h.clock.set(monthsAfter(t0, 23));
    await run();
    expect(await find(sent)).toBeDefined();

    h.clock.set(monthsAfter(t0, 25));
    const month25 = await run();
    expect(await find(sent)).toBeUndefined();
    expect(await find(released)).toBeUndefined();
    expect(await find(queued)).toBeDefined();
    expect(month25.reports).toContainEqual(
      expect.objectContaining({
        orgId: org,
        job: 'device-message-metadata',
        counts: { device_messages_purged: 2 },
      }),
    );
  });
});
