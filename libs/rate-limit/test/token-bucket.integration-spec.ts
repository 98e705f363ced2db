// The token bucket against a real PostgreSQL: bursts, refill, refusals that give the token back.
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { TokenBucket, createTokenBucketTable } from '@switchboard/rate-limit';

class Refused extends Error {}

describe('TokenBucket', () => {
  let db: TestDatabase;
  let app: DataSource;
  const bucket = new TokenBucket('test_buckets');
  const limit = { rate: 2, burst: 3 };
  const start = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createTokenBucketTable(owner, new URL(db.appUrl).username, 'test_buckets');
    await owner.end();
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 8 } });
    await app.initialize();
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  /** One request: takes a token in its own transaction, rolled back when refused. */
  const request = (key: string, now: Date, count?: number) =>
    app
      .transaction(async (tx: EntityManager) => {
        const taken = await bucket.take(tx, key, limit, now, count);
        if (!taken.allowed) throw new Refused(String(taken.retryAfterSeconds));
        return 'allowed';
      })
      .catch((error: unknown) => {
        if (error instanceof Refused) return `refused ${error.message}`;
        throw error;
      });

  it('lets exactly the burst of a parallel rush through, and says when to retry', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => request('org:a', at(0))));
    expect(outcomes.filter((o) => o === 'allowed')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'refused 1')).toHaveLength(5);
  });

  it('refills at the rate, up to the burst, and a refusal gives its token back', async () => {
    expect(await request('org:b', at(0))).toBe('allowed');
    expect(await request('org:b', at(0))).toBe('allowed');
    expect(await request('org:b', at(0))).toBe('allowed');
    expect(await request('org:b', at(250))).toBe('refused 1'); // half a token
    expect(await request('org:b', at(500))).toBe('allowed'); // the refused take cost nothing
    expect(await request('org:b', at(500))).toBe('refused 1');
    // An hour later the bucket holds the burst, not 7200 tokens.
    const later = at(3_600_000);
    const rush = await Promise.all(Array.from({ length: 5 }, () => request('org:b', later)));
    expect(rush.filter((o) => o === 'allowed')).toHaveLength(3);
  });

  it('keeps keys apart and lets everything through at a rate of 0', async () => {
    expect(await request('org:c', at(0))).toBe('allowed');
    const off = await app.transaction((tx) =>
      bucket.take(tx, 'org:d', { rate: 0, burst: 0 }, at(0)),
    );
    expect(off).toEqual({ allowed: true });
  });

  it('takes several tokens at once (a batch), all or none', async () => {
    expect(await request('org:e', at(0), 2)).toBe('allowed');
    expect(await request('org:e', at(0), 2)).toBe('refused 1'); // one left: none taken
    expect(await request('org:e', at(0), 1)).toBe('allowed');
    expect(await request('org:e', at(0), 0)).toBe('allowed');
    expect(await request('org:e', at(1500), 3)).toBe('allowed'); // refilled to the burst
  });

  it('takeNow: one statement outside a transaction; a refusal changes nothing', async () => {
    const take = (ms: number) => bucket.takeNow(app, 'org:f', limit, at(ms));
    const rush = await Promise.all(Array.from({ length: 6 }, () => take(0)));
    expect(rush.filter((r) => r.allowed)).toHaveLength(3);
    expect(rush.filter((r) => !r.allowed)).toEqual(
      Array.from({ length: 3 }, () => ({ allowed: false, retryAfterSeconds: 1 })),
    );
    expect(await take(500)).toEqual({ allowed: true, left: 0 }); // refusals cost nothing: 1 token back
    expect(await take(500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('takeNow of several (a lease): all or none, and what is left', async () => {
    const take = (ms: number, count: number) => bucket.takeNow(app, 'org:g', limit, at(ms), count);
    expect(await take(0, 4)).toEqual({ allowed: false, retryAfterSeconds: 1 }); // above the burst
    expect(await take(0, 2)).toEqual({ allowed: true, left: 1 }); // a new key starts full
    expect(await take(0, 2)).toEqual({ allowed: false, retryAfterSeconds: 1 }); // one left: none taken
    expect(await take(0, 1)).toEqual({ allowed: true, left: 0 });
    expect(await take(1000, 3)).toEqual({ allowed: false, retryAfterSeconds: 1 }); // 2 back of 3
    expect(await take(1000, 2)).toEqual({ allowed: true, left: 0 });
  });
});
