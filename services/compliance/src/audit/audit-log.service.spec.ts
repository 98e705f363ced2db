import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { DataSource, EntityManager } from 'typeorm';
import { commonV1, complianceV1 } from '@switchboard/contracts';
import { ManualClock } from '@switchboard/testing';
import { genesisHash, verifyChain, genesisAnchor } from '../domain/audit-chain';
import type { AuditChainHeadRecord, AuditEntryRecord, AuditLogFilter } from './audit-entry.record';
import type { AuditLogRepository } from './audit-log.repository';
import { AUDIT_BATCH, AuditLogService } from './audit-log.service';

const ORG = '11111111-1111-4111-8111-111111111111';
const tx = { query: () => Promise.resolve([]) } as unknown as EntityManager;

/** The repository over arrays: one chain head and the entries per organization. */
class FakeAuditLog {
  heads = new Map<string, AuditChainHeadRecord>();
  entries: AuditEntryRecord[] = [];
  locks = 0;

  readonly repository = {
    createHead: (_tx: unknown, orgId: string, genesis: string) => {
      if (!this.heads.has(orgId)) {
        const anchor = { sequence: 0, hash: genesis };
        this.heads.set(orgId, { orgId, head: anchor, anchor, prunedEntries: 0, prunedAt: null });
      }
      return Promise.resolve();
    },
    lockHead: (_tx: unknown, orgId: string) => {
      this.locks += 1;
      return Promise.resolve(this.heads.get(orgId));
    },
    head: (_tx: unknown, orgId: string) => Promise.resolve(this.heads.get(orgId)),
    hasEntry: (_tx: unknown, orgId: string, id: string) =>
      Promise.resolve(this.entries.some((e) => e.orgId === orgId && e.id === id)),
    insert: (_tx: unknown, entry: AuditEntryRecord) => {
      this.entries.push(entry);
      return Promise.resolve();
    },
    moveHead: (_tx: unknown, orgId: string, sequence: number, hash: string) => {
      const head = this.heads.get(orgId)!;
      this.heads.set(orgId, { ...head, head: { sequence, hash } });
      return Promise.resolve();
    },
    entriesAfter: (
      _tx: unknown,
      orgId: string,
      after: number,
      limit: number,
      filter: AuditLogFilter = {},
    ) =>
      Promise.resolve(
        this.entries
          .filter((e) => e.orgId === orgId && e.sequence > after)
          .filter((e) => !filter.action || e.action === filter.action)
          .sort((a, b) => a.sequence - b.sequence)
          .slice(0, limit),
      ),
    entriesBefore: (
      _tx: unknown,
      orgId: string,
      filter: AuditLogFilter,
      before: number | undefined,
      limit: number,
    ) =>
      Promise.resolve(
        this.entries
          .filter((e) => e.orgId === orgId && e.sequence < (before ?? Infinity))
          .filter((e) => !filter.actorId || e.actorId === filter.actorId)
          .sort((a, b) => b.sequence - a.sequence)
          .slice(0, limit),
      ),
    prune: () => Promise.resolve(0),
  } as unknown as AuditLogRepository;

  readonly dataSource = {
    transaction: <T>(work: (tx: EntityManager) => Promise<T>) => work(tx),
  } as unknown as DataSource;
}

function event(n: number, init: Partial<Parameters<typeof create>[1]> = {}) {
  return create(complianceV1.AuditEventSchema, {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    occurredAt: timestampFromDate(new Date(Date.UTC(2030, 0, 1, 0, n))),
    actor: { type: commonV1.ActorType.API_TOKEN, id: `token-${n}`, orgId: ORG },
    orgId: ORG,
    action: 'message.cancel',
    resourceType: 'message',
    resourceId: `m-${n}`,
    outcome: complianceV1.AuditOutcome.DENIED,
    sourceService: 'messaging',
    metadata: { status: 'QUEUED' },
    ...init,
  });
}

function setUp() {
  const log = new FakeAuditLog();
  const clock = new ManualClock();
  clock.set(new Date('2030-02-01T00:00:00Z'));
  const service = new AuditLogService(log.dataSource, log.repository, clock);
  return { log, clock, service };
}

describe('AuditLogService', () => {
  it('starts a chain at its genesis and links each appended event', async () => {
    const { log, service } = setUp();
    expect(await service.append(tx, ORG, event(1))).toBe('appended');
    expect(await service.append(tx, ORG, event(2))).toBe('appended');
    const [first, second] = log.entries;
    expect(first).toMatchObject({
      orgId: ORG,
      sequence: 1,
      prevHash: genesisHash(ORG),
      actorType: 'API_TOKEN',
      actorId: 'token-1',
      outcome: 'DENIED',
      metadata: { status: 'QUEUED' },
      occurredAt: new Date(Date.UTC(2030, 0, 1, 0, 1)),
    });
    // Received now, by the injected clock (which goes on from the time it was set to).
    expect(first.receivedAt.getTime() - Date.parse('2030-02-01T00:00:00Z')).toBeLessThan(60_000);
    expect(second.prevHash).toBe(first.hash);
    expect(log.heads.get(ORG)!.head).toEqual({ sequence: 2, hash: second.hash });
    expect(verifyChain(genesisAnchor(ORG), log.entries, log.heads.get(ORG)!.head).broken).toBe(
      undefined,
    );
    // Every append locks the chain head first.
    expect(log.locks).toBeGreaterThanOrEqual(2);
  });

  it('appends an event id once (a replay is a duplicate)', async () => {
    const { log, service } = setUp();
    await service.append(tx, ORG, event(1));
    expect(await service.append(tx, ORG, event(1))).toBe('duplicate');
    expect(await service.append(tx, ORG, event(1, { id: event(1).id.toUpperCase() }))).toBe(
      'duplicate',
    );
    expect(log.entries).toHaveLength(1);
  });

  it('keeps enum values it does not know as their numbers', async () => {
    const { log, service } = setUp();
    await service.append(
      tx,
      ORG,
      event(1, { outcome: 99 as complianceV1.AuditOutcome, actor: { type: 42, id: 'x' } }),
    );
    expect(log.entries[0]).toMatchObject({ outcome: '99', actorType: '42' });
  });

  it.each([
    ['no uuid id', { id: 'not-a-uuid' }],
    ['no action', { action: '' }],
    ['no time', { occurredAt: undefined }],
    ['a NUL in a field', { reason: 'a\u0000b' }],
    ['a NUL in metadata', { metadata: { 'k\u0000': 'v' } }],
  ])('refuses an event with %s (INVALID_EVENT: dead-lettered)', async (_what, init) => {
    const { log, service } = setUp();
    await expect(service.append(tx, ORG, event(1, init))).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    expect(log.entries).toEqual([]);
  });

  it('verifies in batches and names the first broken link', async () => {
    const { log, service } = setUp();
    for (let n = 1; n <= AUDIT_BATCH + 3; n++) await service.append(tx, ORG, event(n));
    expect(await service.verify(ORG)).toEqual({
      ok: true,
      checkedEntries: AUDIT_BATCH + 3,
      firstBrokenAt: null,
      anchorSequence: 0,
      headSequence: AUDIT_BATCH + 3,
      prunedEntries: 0,
    });
    const target = log.entries[AUDIT_BATCH + 1];
    log.entries[AUDIT_BATCH + 1] = { ...target, reason: 'rewritten' };
    expect(await service.verify(ORG)).toMatchObject({
      ok: false,
      checkedEntries: AUDIT_BATCH + 1,
      firstBrokenAt: { sequence: target.sequence, id: target.id, reason: 'HASH_MISMATCH' },
    });
  });

  it('verifies an organization without entries as an intact empty chain', async () => {
    const { service } = setUp();
    expect(await service.verify(ORG)).toMatchObject({
      ok: true,
      checkedEntries: 0,
      headSequence: 0,
    });
  });

  it('pages newest first with opaque cursors and checks its arguments', async () => {
    const { service } = setUp();
    for (let n = 1; n <= 5; n++) await service.append(tx, ORG, event(n));
    const first = await service.list(ORG, {}, { first: 2 });
    expect(first.edges.map((e) => e.node.sequence)).toEqual([5, 4]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await service.list(ORG, {}, { first: 2, after: first.pageInfo.endCursor });
    expect(next.edges.map((e) => e.node.sequence)).toEqual([3, 2]);
    expect(next.pageInfo.hasPreviousPage).toBe(true);
    await expect(service.list(ORG, {}, { after: 'bogus' })).rejects.toMatchObject({
      code: 'INVALID_PAGINATION',
    });
    await expect(service.list(ORG, {}, { first: -1 })).rejects.toMatchObject({
      code: 'INVALID_PAGINATION',
    });
    await expect(
      service.list(ORG, { from: new Date('2030-02-02'), to: new Date('2030-02-01') }, {}),
    ).rejects.toMatchObject({ code: 'INVALID_AUDIT_FILTER' });
    await expect(service.list(ORG, { actorId: 'x'.repeat(201) }, {})).rejects.toMatchObject({
      code: 'INVALID_AUDIT_FILTER',
    });
  });

  it('exports JSON lines oldest first across batches', async () => {
    const { service } = setUp();
    for (let n = 1; n <= AUDIT_BATCH + 2; n++) await service.append(tx, ORG, event(n));
    const sequences: number[] = [];
    for await (const line of service.exportJsonLines(ORG)) {
      expect(line.endsWith('\n')).toBe(true);
      sequences.push((JSON.parse(line) as { sequence: number }).sequence);
    }
    expect(sequences).toEqual(Array.from({ length: AUDIT_BATCH + 2 }, (_, i) => i + 1));
  });
});
