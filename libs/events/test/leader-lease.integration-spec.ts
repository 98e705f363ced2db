// LeaderLease and PeriodicJob against the real PostgreSQL of the stack: one leader per lease
// name, and a takeover when the leader's connection dies.
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { LeaderLease, leaseKey, PeriodicJob, type JobLogger } from '@switchboard/events';
import { createTestDatabase, stackSetting, type TestDatabase } from '@switchboard/testing';
import { until } from './harness';

/** Ends a session the way a crash or a network partition would, from outside. */
async function killSession(pid: number): Promise<void> {
  const admin = new Client({ connectionString: stackSetting('PG_ADMIN_URL') });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

async function backendPid(lease: LeaderLease): Promise<number> {
  const { rows } = await lease.connection!.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0].pid;
}

/** acquire(), where a broken connection (reported by a throw) counts as not leading. */
const leads = (lease: LeaderLease) => lease.acquire().catch(() => false);

describe('LeaderLease', () => {
  let db: TestDatabase;
  const leases: LeaderLease[] = [];
  const lease = (name: string, logger?: JobLogger) => {
    const l = new LeaderLease({ connectionString: db.appUrl, name, logger });
    leases.push(l);
    return l;
  };

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
  });
  afterEach(async () => {
    for (const l of leases.splice(0)) await l.release();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps the lock keys of the relay and the sweeper of earlier releases (rolling upgrades)', () => {
    const before = (name: string) => createHash('sha256').update(name).digest().readBigInt64BE(0);
    expect(leaseKey('devices:fleet-sweeper')).toBe(before('devices:fleet-sweeper'));
    expect(leaseKey('outbox-relay:messaging')).toBe(before('outbox-relay:messaging'));
    expect(leaseKey('a')).not.toBe(leaseKey('b'));
  });

  it('makes one leader of two leases on one key, and keeps it on re-checks', async () => {
    const a = lease('test:one-leader');
    const b = lease('test:one-leader');
    const other = lease('test:another-job');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await other.acquire()).toBe(true); // another name is another lease
    for (let i = 0; i < 3; i++) {
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
    }
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
  });

  it('hands over when the leader releases it', async () => {
    const a = lease('test:release');
    const b = lease('test:release');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    await a.release();
    expect(a.isLeader).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
  });

  it("lets another replica take over when the leader's connection dies", async () => {
    const a = lease('test:takeover');
    const b = lease('test:takeover');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);

    await killSession(await backendPid(a));

    await until('the other replica to lead', () => leads(b));
    expect(await leads(a)).toBe(false);
    expect(await a.acquire()).toBe(false); // a new session of its own, not the leader
  });

  it('does not re-check a lease whose work runs on its connection, and still hands over when that session dies', async () => {
    const a = new LeaderLease({
      connectionString: db.appUrl,
      name: 'test:on-connection',
      workOnConnection: true,
    });
    leases.push(a);
    const b = lease('test:on-connection');
    expect(await a.acquire()).toBe(true);
    const pid = await backendPid(a);
    const statements = jest.spyOn(a.connection!, 'query');
    expect(await a.acquire()).toBe(true);
    expect(await a.acquire()).toBe(true);
    expect(statements).not.toHaveBeenCalled(); // no pg_locks read per run
    expect(await b.acquire()).toBe(false);

    await killSession(pid);

    await until('the other replica to lead', () => leads(b));
    await until('the dead session to be given up', async () => !(await leads(a)));
  });

  it('notices on re-check that its session no longer holds the lock', async () => {
    const warnings: string[] = [];
    const a = lease('test:recheck', { warn: (m) => void warnings.push(m), error: () => undefined });
    expect(await a.acquire()).toBe(true);
    await a.connection!.query('SELECT pg_advisory_unlock($1)', [a.key.toString()]);
    expect(await a.acquire()).toBe(true); // lost, noticed, and taken again (nobody else wanted it)
    expect(warnings).toEqual(['leader lease lost']);
  });
});

describe('PeriodicJob with a LeaderLease', () => {
  let db: TestDatabase;
  const jobs: PeriodicJob[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
  });
  afterAll(async () => {
    for (const j of jobs.splice(0)) await j.stop();
    await db?.drop();
  });

  it('runs on one replica only, and on the other once the leader dies', async () => {
    const runs = { a: 0, b: 0 };
    // A leader stuck in a run (a long pause, a partition) while its connection dies: it cannot
    // take the lease back with a new session before the other replica does.
    let unstick: () => void = () => undefined;
    const gate: { stuck?: Promise<void> } = {};
    const replica = (name: 'a' | 'b') => {
      const lease = new LeaderLease({ connectionString: db.appUrl, name: 'test:sweeper' });
      const job = new PeriodicJob({
        name: `sweeper ${name}`,
        intervalMs: 20,
        lease,
        run: async () => {
          runs[name]++;
          if (name === 'a') await gate.stuck;
        },
      });
      jobs.push(job);
      return { lease, job };
    };
    const a = replica('a');
    a.job.start();
    await until('a to lead', () => runs.a > 0);
    const b = replica('b');
    b.job.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(runs.b).toBe(0);

    gate.stuck = new Promise((resolve) => (unstick = resolve));
    const aBefore = runs.a;
    await until('a to be in a run', () => runs.a > aBefore);
    await killSession(await backendPid(a.lease));
    await until('b to take over', () => runs.b > 0);
    unstick();
    const [aAfter, bAfter] = [runs.a, runs.b];
    // b goes on leading for several rounds, while a (a new session, no lease) stays idle.
    await until('b to lead on', () => runs.b > bAfter + 5);
    expect(runs.a).toBe(aAfter);

    await b.job.stop(); // shutdown releases the lease: a takes over again
    await until('a to lead again', () => runs.a > aAfter);
  });
});
