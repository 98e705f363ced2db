import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { createTenantsTable, TenantRepository } from '@switchboard/tenancy';

describe('TenantRepository', () => {
  let db: TestDatabase;
  let owner: Client;
  let app: Client;
  const tenants = new TenantRepository();
  const [a, b] = [randomUUID(), randomUUID()].sort();

  beforeAll(async () => {
    db = await createTestDatabase('compliance');
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createTenantsTable(owner, new URL(db.appUrl).username);
    app = new Client({ connectionString: db.appUrl });
    await app.connect();
  });

  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await db?.drop();
  });

  it('registers once, closes, reopens and removes, as the application role', async () => {
    await tenants.register(app, b);
    await tenants.register(app, a);
    await tenants.register(app, a);
    expect(await tenants.all(app)).toEqual([
      { id: a, closedAt: null },
      { id: b, closedAt: null },
    ]);

    const closedAt = new Date('2026-11-29T10:00:00Z');
    await tenants.setClosed(app, a, closedAt);
    expect(await tenants.isClosed(app, a)).toBe(true);
    expect(await tenants.isClosed(app, b)).toBe(false);
    expect(await tenants.open(app)).toEqual([b]);
    expect((await tenants.all(app))[0]).toEqual({ id: a, closedAt });

    await tenants.setClosed(app, a, null);
    expect(await tenants.open(app)).toEqual([a, b]);

    await tenants.remove(app, b);
    expect(await tenants.all(app)).toEqual([{ id: a, closedAt: null }]);
  });

  it('closes an organization it has not seen yet (the closure can come first)', async () => {
    const c = randomUUID();
    await tenants.setClosed(app, c, new Date());
    expect(await tenants.isClosed(app, c)).toBe(true);
  });

  it('lets the application role change nothing but closed_at', async () => {
    await expect(app.query(`UPDATE tenants SET first_seen_at = now()`)).rejects.toThrow(
      /permission denied/,
    );
  });
});
