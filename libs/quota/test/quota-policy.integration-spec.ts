// The pre-send quota check against a real PostgreSQL: `check` early without a lock, `take` as
// the transaction's last step; a lost take sends again with a locked check, the way messaging
// does. 50 concurrent sends against a published state whose wallet covers 10 → exactly 10
// accepted (no overshoot against one state); the check waits for no lock; the take decides as
// decideQuota does; a newer state replaces the projection and clears the local debits.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import {
  addQuotaMmsPriceColumn,
  createQuotaTables,
  decideQuota,
  QuotaPolicy,
  QuotaStateStore,
  type PublishedQuota,
  type QuotaRefusal,
} from '@switchboard/quota';

class TakeLost extends Error {}

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
    await addQuotaMmsPriceColumn(owner);
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
    maxMmsPriceMinor: 5,
    overageAllowed: false,
    blockReason: null,
    version: 1,
    updatedAt: new Date(),
    ...over,
  });
  const publish = (orgId: string, q: PublishedQuota) =>
    inTenantTransaction(app, orgId, (tx) => store.apply(tx, orgId, q));

  /** One send as messaging runs it: check, the send's own work, take last; a lost take again, locked. */
  const attempt = (orgId: string, segments: number, lock: boolean, mms: boolean) =>
    inTenantTransaction(app, orgId, async (tx: EntityManager): Promise<QuotaRefusal | null> => {
      const refusal = await policy.check(tx, orgId, segments, { lock, mms });
      if (refusal) return refusal;
      await tx.query(`SELECT pg_sleep(0.002)`); // the message, its events, its timers
      if (await policy.take(tx, orgId, segments, { mms })) return null;
      throw new TakeLost();
    });
  const send = async (orgId: string, segments = 1, mms = false): Promise<QuotaRefusal | null> => {
    try {
      return await attempt(orgId, segments, false, mms);
    } catch (error) {
      if (!(error instanceof TakeLost)) throw error;
      return attempt(orgId, segments, true, mms);
    }
  };

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

  it('checks without waiting for the lock of a send that is taking', async () => {
    const orgId = randomUUID();
    await publish(orgId, state({ walletAvailableMinor: 4 }));
    const taking = new Client({ connectionString: db.appUrl });
    await taking.connect();
    try {
      await taking.query('BEGIN');
      await taking.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
      expect(await policy.take(taking, orgId, 1)).toBe(true); // holds the row until COMMIT
      const checked = await inTenantTransaction(app, orgId, async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '200ms'`);
        return policy.check(tx, orgId, 1);
      });
      expect(checked).toBeNull(); // the uncommitted take is not seen, and not waited for
      await taking.query('COMMIT');
    } finally {
      await taking.end();
    }
    expect(await send(orgId)).toBeNull();
    expect(await send(orgId)).toBe('QUOTA_EXCEEDED');
  });

  it('takes for an overage plan without locking its row (sends do not queue on it)', async () => {
    const orgId = randomUUID();
    await publish(orgId, state({ walletAvailableMinor: 0, overageAllowed: true }));
    const taking = new Client({ connectionString: db.appUrl });
    await taking.connect();
    try {
      await taking.query('BEGIN');
      await taking.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
      expect(await policy.take(taking, orgId, 3)).toBe(true); // the transaction stays open
      // NOWAIT: fails at once (55P03) when the open take holds the row — no timing involved.
      const locked = await inTenantTransaction(app, orgId, (tx) =>
        tx.query(`SELECT 1 FROM quota_states WHERE org_id = $1 FOR UPDATE NOWAIT`, [orgId]),
      );
      expect(locked).toHaveLength(1);
      await taking.query('COMMIT');
    } finally {
      await taking.end();
    }
  });

  it('takes what decideQuota allows, no more', async () => {
    const cases: Array<[Partial<PublishedQuota>, number[], number, boolean?]> = [
      [{ remainingIncluded: 3, walletAvailableMinor: 0 }, [1, 2], 1],
      [{ remainingIncluded: 2, walletAvailableMinor: 5, maxSegmentPriceMinor: 2 }, [1, 2], 3],
      [{ remainingIncluded: 0, walletAvailableMinor: 7, maxSegmentPriceMinor: 3 }, [1], 3],
      [{ remainingIncluded: 1, walletAvailableMinor: -4, maxSegmentPriceMinor: 1 }, [1], 1],
      [{ remainingIncluded: 0, walletAvailableMinor: 3, maxSegmentPriceMinor: 0 }, [2], 2],
      [{ remainingIncluded: 1, walletAvailableMinor: 0, overageAllowed: true }, [4, 1], 7],
      [{ remainingIncluded: 5, walletAvailableMinor: 4, maxMmsPriceMinor: 5 }, [], 1, true],
      [{ remainingIncluded: 5, walletAvailableMinor: 9, maxMmsPriceMinor: 5 }, [1], 3, true],
      [{ remainingIncluded: 0, walletAvailableMinor: 9, maxMmsPriceMinor: 5 }, [2], 1, true],
      [{ remainingIncluded: 0, walletAvailableMinor: 0, overageAllowed: true }, [], 1, true],
    ];
    for (const [over, before, segments, mms = false] of cases) {
      const orgId = randomUUID();
      await publish(orgId, state(over));
      for (const s of before) expect(await send(orgId, s)).toBeNull();
      const projection = await inTenantTransaction(app, orgId, (tx) => store.read(tx, orgId));
      const decided = decideQuota(projection!, segments, mms).allowed;
      const taken = await inTenantTransaction(app, orgId, (tx) =>
        policy.take(tx, orgId, segments, { mms }),
      );
      expect({ over, segments, mms, taken }).toEqual({ over, segments, mms, taken: decided });
    }
  });

  it('takes an MMS from the wallet at the MMS price, leaving the allowance to SMS', async () => {
    const orgId = randomUUID();
    await publish(orgId, state({ remainingIncluded: 2, walletAvailableMinor: 12 }));
    expect(await send(orgId, 4, true)).toBeNull(); // 5 of 12 cents, whatever its text length
    expect(await send(orgId, 1, true)).toBeNull(); // 10 of 12
    expect(await send(orgId, 1, true)).toBe('INSUFFICIENT_FUNDS');
    expect(await send(orgId, 2)).toBeNull(); // the SMS allowance is untouched
    expect(await send(orgId, 1)).toBeNull(); // 12 of 12
    expect(await send(orgId, 1)).toBe('QUOTA_EXCEEDED');
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
