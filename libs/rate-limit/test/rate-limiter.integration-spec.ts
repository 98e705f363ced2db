// The limiter against a real PostgreSQL: counting, refusing, bursts, transactions, pruning.
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { createTestDatabase, ManualClock, type TestDatabase } from '@switchboard/testing';
import {
  RateLimiter,
  createRateLimitTable,
  rateLimitKeys,
  type RateLimitCheck,
} from '@switchboard/rate-limit';

describe('RateLimiter', () => {
  let db: TestDatabase;
  let app: DataSource;
  const clock = new ManualClock();
  let limiter: RateLimiter;
  const perMinute = (key: string, max: number): RateLimitCheck => ({
    key,
    limit: { max, windowSeconds: 60 },
  });

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createRateLimitTable(owner, new URL(db.appUrl).username, 'test_hits');
    await owner.end();
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 8 } });
    await app.initialize();
    limiter = new RateLimiter(app, clock, { table: 'test_hits' });
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  const count = async (action: string) =>
    Number(
      (await app.query(`SELECT count(*) AS n FROM test_hits WHERE action = $1`, [action]))[0].n,
    );

  it('lets `max` requests through, then refuses with RATE_LIMITED and when to retry', async () => {
    const ip = rateLimitKeys.ip('198.51.100.1');
    for (let i = 0; i < 3; i++) await limiter.enforce('login', [perMinute(ip, 3)]);
    const refused = await limiter.enforce('login', [perMinute(ip, 3)]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CommonException);
    expect((refused as CommonException).code).toBe(CommonErrorCode.RATE_LIMITED);
    expect((refused as CommonException).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as CommonException).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Other keys and other actions count separately; refusals are not recorded.
    await limiter.enforce('login', [perMinute(rateLimitKeys.ip('198.51.100.2'), 3)]);
    await limiter.enforce('reset', [perMinute(ip, 3)]);
    expect(await count('login')).toBe(4);
    // Once the window has passed, the key is free again.
    clock.advance(61_000);
    await limiter.enforce('login', [perMinute(ip, 3)]);
  });

  it('counts one request against every check or none', async () => {
    const a = rateLimitKeys.user('a');
    const b = rateLimitKeys.user('b');
    await limiter.enforce('pair', [perMinute(a, 1)]);
    expect(await limiter.consume('pair', [perMinute(a, 1), perMinute(b, 5)])).toEqual({
      allowed: false,
      retryAfterSeconds: expect.any(Number),
    });
    expect(
      Number((await app.query(`SELECT count(*) AS n FROM test_hits WHERE key = $1`, [b]))[0].n),
    ).toBe(0);
  });

  it('lets exactly `max` of a parallel burst through', async () => {
    const key = rateLimitKeys.ip('198.51.100.9');
    const decisions = await Promise.all(
      Array.from({ length: 12 }, () => limiter.consume('burst', [perMinute(key, 5)])),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('records inside the caller transaction: a rollback forgets the request', async () => {
    const key = rateLimitKeys.user('tx');
    await app
      .transaction(async (tx) => {
        await limiter.enforce('tx', [perMinute(key, 1)], tx);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await count('tx')).toBe(0);
  });

  it('throws the service refusal when given one; a max of 0 is off', async () => {
    const custom = new RateLimiter(app, clock, {
      table: 'test_hits',
      refuse: (s, action) => new Error(`${action} wait ${s}`),
    });
    const key = rateLimitKeys.user('custom');
    await custom.enforce('custom', [perMinute(key, 1)]);
    await expect(custom.enforce('custom', [perMinute(key, 1)])).rejects.toThrow(/custom wait \d+/);
    for (let i = 0; i < 5; i++) await custom.enforce('off', [perMinute(key, 0)]);
    expect(await count('off')).toBe(0);
  });

  it('refuses keys holding an email address', async () => {
    await expect(
      limiter.consume('mail', [perMinute('email:ada@example.com', 1)]),
    ).rejects.toThrow();
  });

  it('prunes what is older than asked', async () => {
    clock.advance(3_600_000);
    await limiter.enforce('fresh', [perMinute(rateLimitKeys.user('fresh'), 1)]);
    await limiter.prune(600);
    expect(Number((await app.query(`SELECT count(*) AS n FROM test_hits`))[0].n)).toBe(1);
  });
});
