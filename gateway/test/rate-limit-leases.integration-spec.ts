// Leased edge rate limits against a real PostgreSQL (issue 17, B4): a replica takes several
// tokens of a bucket in one statement and spends them on that bucket's next requests, yet
// replicas together never admit more than the bucket holds, and a caller within its limit is
// never refused because leases were sized wrong.
import type { DataSource } from 'typeorm';
import { EDGE_ACTION, EdgeTokenBuckets } from '../src/edge-rate-limit';
import { gatewayDatabase } from './support/gateway-database';

describe('leased edge rate limits', () => {
  let database: Awaited<ReturnType<typeof gatewayDatabase>>;
  let dataSource: DataSource;
  /** The time the buckets see: moved only by the tests. */
  let nowMs = Date.parse('2030-01-01T00:00:00Z');
  const clock = { now: () => new Date(nowMs) };
  const LEASE_MS = 1000;
  let key = 0;
  /** A check of a bucket of its own: `max` requests a minute. */
  const check = (max: number) => {
    key++;
    const checks = [{ key: `user:lease-${key}`, limit: { max, windowSeconds: 60 } }];
    return { checks, bucket: `${EDGE_ACTION}:user:lease-${key}` };
  };

  beforeAll(async () => {
    database = await gatewayDatabase();
    dataSource = database.dataSource;
  });

  afterAll(async () => {
    await database?.close();
  });

  /** Statements the buckets ran while `work` ran. */
  async function statementsOf(work: () => Promise<unknown>): Promise<number> {
    const spy = jest.spyOn(dataSource, 'query');
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it('spends one statement on many sequential requests of a bucket', async () => {
    const replica = new EdgeTokenBuckets(dataSource, clock, LEASE_MS);
    const { checks, bucket } = check(600);
    let allowed = 0;
    const statements = await statementsOf(async () => {
      for (let i = 0; i < 50; i++)
        if ((await replica.consume(EDGE_ACTION, checks)).allowed) allowed++;
    });
    expect(allowed).toBe(50);
    // Leases of 1, 2, 4, 8, 16, 32 (each ran out before its end): 6 statements, not 50.
    expect(statements).toBe(6);
    const [{ tokens }] = await dataSource.query(
      `SELECT tokens FROM edge_rate_buckets WHERE key = $1`,
      [bucket],
    );
    expect(Number(tokens)).toBe(600 - 63); // taken ahead: 13 leased and not used yet

    // Without leases: a statement a request.
    const exact = new EdgeTokenBuckets(dataSource, clock, 0);
    const other = check(600);
    expect(
      await statementsOf(async () => {
        for (let i = 0; i < 10; i++) await exact.consume(EDGE_ACTION, other.checks);
      }),
    ).toBe(10);
  });

  it('never admits more than the bucket holds across replicas, however the requests race', async () => {
    const replicas = [0, 1, 2].map(() => new EdgeTokenBuckets(dataSource, clock, LEASE_MS));
    const { checks, bucket } = check(100);
    const decisions = await Promise.all(
      Array.from({ length: 600 }, (_, i) => replicas[i % 3].consume(EDGE_ACTION, checks)),
    );
    const allowed = decisions.filter((d) => d.allowed).length;
    expect(allowed).toBeLessThanOrEqual(100);
    // Leases are at most a tenth of the burst (10): what they can strand is bounded.
    expect(allowed).toBeGreaterThanOrEqual(100 - 3 * 10);
    for (const refused of decisions.filter((d) => !d.allowed))
      expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    const [{ tokens }] = await dataSource.query(
      `SELECT tokens FROM edge_rate_buckets WHERE key = $1`,
      [bucket],
    );
    expect(Number(tokens)).toBeGreaterThanOrEqual(0);
  });

  it('does not refuse a caller under its limit whose requests alternate between replicas', async () => {
    // 600 a minute is 10 a second; the caller sends 9 a second for two minutes, round robin
    // over three replicas. Leases sized by a lease's length of demand would take 10 tokens on
    // each replica every second and drain the bucket; sized by what each replica served, they
    // waste at most the drop of demand from one lease to the next.
    const replicas = [0, 1, 2].map(() => new EdgeTokenBuckets(dataSource, clock, LEASE_MS));
    const { checks, bucket } = check(600);
    let refused = 0;
    for (let i = 0; i < 9 * 120; i++) {
      nowMs += 1000 / 9;
      if (!(await replicas[i % 3].consume(EDGE_ACTION, checks)).allowed) refused++;
    }
    expect(refused).toBe(0);
    // The bucket stays about full: the leases took what the requests used, give or take the
    // few tokens each replica holds right now.
    const [row] = await dataSource.query(
      `SELECT tokens, extract(epoch FROM updated_at) * 1000 AS at FROM edge_rate_buckets WHERE key = $1`,
      [bucket],
    );
    const refilled = Math.min(600, Number(row.tokens) + ((nowMs - Number(row.at)) / 1000) * 10);
    expect(refilled).toBeGreaterThanOrEqual(600 - 3 * 4);
  });

  it('refuses past the limit with the time to wait, and admits again once it refills', async () => {
    const replica = new EdgeTokenBuckets(dataSource, clock, LEASE_MS);
    const { checks } = check(200); // 200 a minute: a token every 0.3 s
    let allowed = 0;
    for (let i = 0; i < 250; i++)
      if ((await replica.consume(EDGE_ACTION, checks)).allowed) allowed++;
    expect(allowed).toBe(200);
    const refused = await replica.consume(EDGE_ACTION, checks);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    nowMs += 3_000; // 10 tokens back
    let again = 0;
    for (let i = 0; i < 20; i++) if ((await replica.consume(EDGE_ACTION, checks)).allowed) again++;
    expect(again).toBe(10);
  });

  it('counts a limit below 20 a window one request at a time, exactly', async () => {
    const replicas = [0, 1].map(() => new EdgeTokenBuckets(dataSource, clock, LEASE_MS));
    const { checks } = check(5);
    const statements = await statementsOf(async () => {
      for (let i = 0; i < 5; i++)
        expect((await replicas[i % 2].consume(EDGE_ACTION, checks)).allowed).toBe(true);
    });
    expect(statements).toBe(5);
    expect((await replicas[1].consume(EDGE_ACTION, checks)).allowed).toBe(false);
  });
});
