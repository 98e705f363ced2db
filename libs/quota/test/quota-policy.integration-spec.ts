// The pre-send quota check against a real PostgreSQL: 50 concurrent sends against a published
// state whose wallet covers 10 → exactly 10 accepted (no overshoot against one state); a newer
// state replaces the projection and clears the local debits, an older one changes nothing.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import {
  createQuotaTables,
  QuotaPolicy,
  QuotaStateStore,
  type PublishedQuota,
} from '@switchboard/quota';

describe('QuotaPolicy', () => {
  let db: TestDatabase;
  let app: DataSource;
  const store = new QuotaStateStore();
  const policy = new QuotaPolicy(store);

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createQuotaTables(owner, new URL(db.appUrl).username);
    await owner.end();
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 20 } });
    await app.initialize();
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  const state = (over: Partial<PublishedQuota> = {}): PublishedQuota => ({
    planId: 'free',
    remainingIncluded: 0,
    walletAvailableMinor: 20,
    maxSegmentPriceMinor: 2,
    overageAllowed: false,
    blockReason: null,
    version: 1,
    updatedAt: new Date(),
    ...over,
  });
  const publish = (orgId: string, q: PublishedQuota) =>
    inTenantTransaction(app, orgId, (tx) => store.apply(tx, orgId, q));
  const send = (orgId: string, segments = 1) =>
    inTenantTransaction(app, orgId, (tx) => policy.check(tx, orgId, segments));

  it('accepts exactly what one state covers when 50 sends come at once', async () => {
    const orgId = randomUUID();
    await publish(orgId, state()); // 20 cents at 2 cents a segment: 10 sends
    const results = await Promise.all(Array.from({ length: 50 }, () => send(orgId)));
    expect(results.filter((r) => r === null)).toHaveLength(10);
    expect(
      results.filter((r) => r === 'INSUFFICIENT_FUNDS' || r === 'QUOTA_EXCEEDED'),
    ).toHaveLength(40);
    expect(new Set(results.filter((r) => r !== null))).toEqual(new Set(['QUOTA_EXCEEDED']));
  });

  it('uses the allowance first, then the wallet, and keeps only newer states', async () => {
    const orgId = randomUUID();
    await publish(orgId, state({ remainingIncluded: 2, walletAvailableMinor: 3, version: 5 }));
    expect(await send(orgId, 2)).toBeNull(); // the allowance
    expect(await send(orgId, 1)).toBeNull(); // 2 of the 3 cents
    expect(await send(orgId, 1)).toBe('INSUFFICIENT_FUNDS'); // 1 cent left, a segment costs 2
    await publish(orgId, state({ walletAvailableMinor: 100, version: 4 })); // older: ignored
    expect(await send(orgId, 1)).toBe('INSUFFICIENT_FUNDS');
    await publish(orgId, state({ walletAvailableMinor: 4, version: 6 })); // newer: replaces
    expect(await send(orgId, 2)).toBeNull();
    expect(await send(orgId, 1)).toBe('QUOTA_EXCEEDED');
  });

  it('allows an organization billing has published nothing for, and overage plans', async () => {
    expect(await send(randomUUID(), 3)).toBeNull();
    const orgId = randomUUID();
    await publish(orgId, state({ walletAvailableMinor: 0, overageAllowed: true }));
    expect(await send(orgId, 5)).toBeNull();
  });
});
