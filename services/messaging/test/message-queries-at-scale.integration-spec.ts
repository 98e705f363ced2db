// The messages connection at scale: with 200,000 messages, every filter of the connection is
// served by an index range scan in keyset order (no sort, no sequential scan), on the first
// page and deep in the list alike.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';
import { MessagesRepository, type MessageFilter } from '../src/messages/messages.repository';

const ORG = randomUUID();
const NEIGHBOUR = randomUUID();
let db: TestDatabase;
let app: DataSource;
const existing = { conversationId: '', campaignId: '' };

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function seed(owner: Client, org: string, count: number): Promise<void> {
  await owner.query('BEGIN');
  await owner.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
  await owner.query(
    `INSERT INTO messages (org_id, id, direction, status, from_number, to_number, body, encoding, segments,
       device_id, conversation_id, campaign_id, attempt, created_at, updated_at)
     SELECT $1, gen_random_uuid(),
       CASE WHEN i % 10 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END,
       (ARRAY['QUEUED','DISPATCHED','SENT','DELIVERED','DELIVERED','DELIVERED','FAILED','EXPIRED'])[1 + i % 8],
       '+1415555' || lpad((i % 7)::text, 4, '0'),
       '+1202555' || lpad((i % 1000)::text, 4, '0'),
       'body ' || i, 'GSM7', 1,
       'device-' || (i % 20),
       CASE WHEN i % 3 = 0 THEN md5('c' || (i % 500))::uuid END,
       CASE WHEN i % 50 = 0 THEN md5('camp' || (i % 4))::uuid END,
       1,
       now() - (i || ' seconds')::interval * 40,
       now()
     FROM generate_series(1, $2) AS i`,
    [org, count],
  );
  await owner.query('COMMIT');
}

beforeAll(async () => {
  db = await createTestDatabase('messaging');
  process.env.DATABASE_URL ??= db.appUrl;
  await migrate(db.ownerUrl, db.appUrl);
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  await seed(owner, ORG, 150_000);
  await seed(owner, NEIGHBOUR, 50_000);
  await owner.query('ANALYZE messages');
  const [row] = (
    await owner.query(
      `SELECT (SELECT conversation_id FROM messages WHERE conversation_id IS NOT NULL LIMIT 1) AS c,
              (SELECT campaign_id FROM messages WHERE campaign_id IS NOT NULL LIMIT 1) AS k`,
    )
  ).rows;
  existing.conversationId = row.c;
  existing.campaignId = row.k;
  await owner.end();
  app = new DataSource({ type: 'postgres', url: db.appUrl });
  await app.initialize();
}, 120_000);

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
});

// The schema-wide isolation check (every table isolated or a reviewed global) is in
// migrations.integration-spec.ts; this is the same rule under a realistic volume.
describe('tenant isolation', () => {
  it('without a tenant the application role sees nothing; with one, only its own', async () => {
    expect(await app.query('SELECT count(*)::int AS n FROM messages')).toEqual([{ n: 0 }]);
    const counts = await inTenantTransaction(app, NEIGHBOUR, (tx) =>
      tx.query('SELECT count(*)::int AS n, count(DISTINCT org_id)::int AS orgs FROM messages'),
    );
    expect(counts).toEqual([{ n: 50_000, orgs: 1 }]);
  });
});

/** EXPLAIN ANALYZE of the repository's own page query. */
async function explain(
  filter: MessageFilter,
  deep = false,
): Promise<{ plan: PlanNode; ms: number }> {
  const repository = new MessagesRepository();
  return inTenantTransaction(app, ORG, async (tx) => {
    let after;
    if (deep) {
      const rows = await repository.page(tx, ORG, filter, 1000);
      const last = rows.at(-1)!;
      after = { micros: last.createdMicros, id: last.id };
    }
    let result: { plan: PlanNode; ms: number } | undefined;
    const explaining = {
      query: async (sql: string, params: unknown[]) => {
        const [row] = await tx.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        const [explained] = row['QUERY PLAN'] as { Plan: PlanNode; 'Execution Time': number }[];
        result = { plan: explained.Plan, ms: explained['Execution Time'] };
        return [];
      },
    } as unknown as EntityManager;
    await repository.page(explaining, ORG, filter, 21, after);
    return result!;
  });
}

describe.each<[string, () => MessageFilter]>([
  ['no filter', () => ({})],
  ['status', () => ({ status: ['FAILED'] })],
  ['direction', () => ({ direction: 'INBOUND' })],
  ['to', () => ({ to: '+12025550042' })],
  ['from', () => ({ from: '+14155550003' })],
  ['device', () => ({ deviceId: 'device-7' })],
  ['conversation', () => ({ conversationId: existing.conversationId })],
  ['campaign', () => ({ campaignId: existing.campaignId })],
  [
    'created window',
    () => ({
      createdBefore: new Date(Date.now() - 86_400_000),
      createdAfter: new Date(Date.now() - 30 * 86_400_000),
    }),
  ],
])('messages filtered by %s', (_name, filter) => {
  it.each([false, true])('uses an index in keyset order (deep page: %s)', async (deep) => {
    const { plan } = await explain(filter(), deep);
    const types = nodes(plan).map((n) => n['Node Type']);
    expect(types).not.toContain('Seq Scan');
    expect(types).not.toContain('Sort');
    const indexes = nodes(plan)
      .map((n) => n['Index Name'])
      .filter(Boolean);
    expect(indexes.some((name) => name!.startsWith('messages_by_'))).toBe(true);
    // The plan is the guarantee; time bounds belong to bench/ (a loaded machine can pause the
    // server longer than any fixed bound).
  });
});
