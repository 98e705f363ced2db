// The retention runner against a real PostgreSQL: batches (never one giant statement), the
// event tables' windows (published outbox rows after a day, processed ids after 35 days),
// steps per organization with its own periods, reports through the outbox, idempotence.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Topics } from '@switchboard/contracts';
import { createEventTables, OutboxWriter } from '@switchboard/events';
import { createTestDatabase, ManualClock, type TestDatabase } from '@switchboard/testing';
import {
  createRetentionTables,
  EventTablesRepository,
  RetentionPolicyStore,
  RetentionRunner,
  type RetentionCutoffs,
} from '@switchboard/retention';

const DAY = 24 * 3600 * 1000;

describe('RetentionRunner', () => {
  let db: TestDatabase;
  let owner: Client;
  let app: DataSource;
  const clock = new ManualClock();
  const store = new RetentionPolicyStore();
  const orgA = randomUUID();
  const orgB = randomUUID();
  const seen: { orgId: string; cut: RetentionCutoffs; limit: number }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const role = new URL(db.appUrl).username;
    await createEventTables(owner, role);
    await createRetentionTables(owner, role);
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 4 } });
    await app.initialize();
  });

  afterAll(async () => {
    await app?.destroy();
    await owner?.end();
    await db?.drop();
  });

  function runner(items: Map<string, number>) {
    return new RetentionRunner({
      service: 'testing',
      dataSource: app,
      store,
      eventTables: new EventTablesRepository(),
      outbox: new OutboxWriter({ service: 'testing' } as never),
      clock,
      batchSize: 2,
      steps: [
        {
          job: 'things',
          // A fake step: `items` per organization, taken two at a time.
          batch: async (tx, cut, limit) => {
            const [{ org }] = (await tx.query(
              `SELECT current_setting('app.org_id', true) AS org`,
            )) as { org: string }[];
            seen.push({ orgId: org, cut, limit });
            const left = items.get(org) ?? 0;
            const n = Math.min(left, limit);
            items.set(org, left - n);
            return { counts: { things_removed: n }, more: n === limit };
          },
        },
      ],
    });
  }

  it('runs every organization in batches with its own periods, reports and prunes the event tables', async () => {
    await app.transaction(async (tx) => {
      await store.register(tx, orgA);
      await store.apply(tx, orgB, { bodyRetentionDays: 30 }, 4, new Date());
    });
    const now = new Date();
    for (let i = 0; i < 5; i++) {
      await owner.query(
        `INSERT INTO outbox (event_id, topic, record_key, event_type, payload, headers, published_at)
         VALUES ($1, 'x', 'k', 't', '\\x00', '{}', $2)`,
        [randomUUID(), new Date(now.getTime() - (i < 3 ? 2 * DAY : 1000))],
      );
      await owner.query(
        `INSERT INTO processed_events (consumer_group, event_id, topic, processed_at) VALUES ('g', $1, 'x', $2)`,
        [randomUUID(), new Date(now.getTime() - (i < 4 ? 40 * DAY : 30 * DAY))],
      );
    }
    // One unpublished row: never deleted however old.
    await owner.query(
      `INSERT INTO outbox (event_id, topic, record_key, event_type, payload, headers, created_at)
       VALUES ($1, 'x', 'k', 't', '\\x00', '{}', $2)`,
      [randomUUID(), new Date(now.getTime() - 90 * DAY)],
    );
    clock.set(now);
    const items = new Map([
      [orgA, 5],
      [orgB, 1],
    ]);
    const summary = await runner(items).runOnce();

    expect(seen.filter((s) => s.orgId === orgA)).toHaveLength(3); // 2 + 2 + 1
    expect(seen.every((s) => s.limit === 2)).toBe(true);
    const cutA = seen.find((s) => s.orgId === orgA)!.cut;
    const cutB = seen.find((s) => s.orgId === orgB)!.cut;
    expect(Math.round((now.getTime() - cutA.bodiesBefore.getTime()) / DAY)).toBe(7);
    expect(Math.round((now.getTime() - cutB.bodiesBefore.getTime()) / DAY)).toBe(30);
    expect(summary.reports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          orgId: orgA,
          job: 'things',
          counts: { things_removed: 5 },
          policyVersion: 0,
        }),
        expect.objectContaining({
          orgId: orgB,
          job: 'things',
          counts: { things_removed: 1 },
          policyVersion: 4,
        }),
        expect.objectContaining({
          orgId: null,
          job: 'event-tables',
          counts: { outbox_deleted: 3, processed_events_deleted: 4 },
        }),
      ]),
    );
    const outbox = await owner.query<{
      record_key: string;
      topic: string;
      published_at: Date | null;
    }>(`SELECT record_key, topic, published_at FROM outbox ORDER BY id`);
    // 2 recent published + 1 unpublished old + 3 reports (orgA, orgB, platform).
    expect(outbox.rows.filter((r) => r.topic === 'x')).toHaveLength(3);
    expect(
      outbox.rows
        .filter((r) => r.topic === Topics.compliance.retentionReport.name)
        .map((r) => r.record_key)
        .sort(),
    ).toEqual([orgA, orgB, 'testing'].sort());
    const { rows: processed } = await owner.query(`SELECT 1 FROM processed_events`);
    expect(processed).toHaveLength(1);

    // Nothing left: a second run reports only that it ran (the platform line, zero counts).
    seen.length = 0;
    expect((await runner(items).runOnce()).reports).toEqual([
      {
        orgId: null,
        job: 'event-tables',
        counts: { outbox_deleted: 0, processed_events_deleted: 0 },
        policyVersion: 0,
      },
    ]);
  });
});
