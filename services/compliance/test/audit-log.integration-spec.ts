// The audit log through its public interfaces (compliance.audit.v1 in, GraphQL out) against the
// real database and broker: events chained per organization, each once; tampering with a row or
// deleting one as the database owner is found and named; concurrent appends never fork a chain;
// retention prunes through a checkpoint that keeps the chain verifiable; tenants see only their
// own log; filters, pages and the JSON-lines export.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { create } from '@bufbuild/protobuf';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { inTenantTransaction } from '@switchboard/tenancy';
import { AuditLogService } from '../src/audit/audit-log.service';
import { PLATFORM_CHAIN_ORG_ID } from '../src/domain/audit-chain';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

/** Polls `probe` until it returns a value (libs/testing's eventually wants a throwing check). */
function until<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  return eventually(async () => {
    const value = await probe();
    if (value === undefined || value === false) throw new Error(`still waiting for ${what}`);
    return value;
  }, 20_000);
}

interface EntryInput {
  id?: string;
  action?: string;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  occurredAt?: Date;
  metadata?: Record<string, string>;
}

function auditEvent(orgId: string, input: EntryInput = {}) {
  return {
    id: input.id ?? randomUUID(),
    occurredAt: timestampFromDate(input.occurredAt ?? new Date()),
    actor: { type: commonV1.ActorType.USER, id: input.actorId ?? 'user-1', orgId },
    orgId,
    action: input.action ?? 'device.remove',
    resourceType: input.resourceType ?? 'device',
    resourceId: input.resourceId ?? randomUUID(),
    outcome: complianceV1.AuditOutcome.SUCCESS,
    requestId: 'req-1',
    correlationId: 'corr-1',
    sourceService: 'devices',
    metadata: input.metadata ?? { name: 'Pixel 7' },
  };
}

const ENTRY = `id sequence action actorId resourceType resourceId privileged reason outcome
  sourceService metadata { key value } prevHash hash occurredAt`;
const VERIFY = `ok checkedEntries anchorSequence headSequence prunedEntries
  firstBrokenAt { sequence id reason expected found }`;

interface Entry {
  id: string;
  sequence: number;
  action: string;
  actorId: string;
  resourceId: string | null;
  privileged: boolean;
  reason: string | null;
  prevHash: string;
  hash: string;
}
interface Connection {
  edges: { cursor: string; node: Entry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface Verification {
  ok: boolean;
  checkedEntries: number;
  anchorSequence: number;
  headSequence: number;
  prunedEntries: number;
  firstBrokenAt: { sequence: number; id: string | null; reason: string } | null;
}

describe('audit log', () => {
  let h: ComplianceHarness;
  let owner: Client;

  beforeAll(async () => {
    h = await startComplianceHarness();
    owner = new Client({ connectionString: h.db.ownerUrl });
    await owner.connect();
  });

  afterAll(async () => {
    await owner?.end();
    await h?.close();
  });

  const publish = (orgId: string, input: EntryInput = {}) => {
    const event = auditEvent(orgId, input);
    return h.publish(Topics.compliance.audit, orgId, orgId, event, event.id).then(() => event);
  };

  async function entries(orgId: string, filter: object = {}, first = 100): Promise<Entry[]> {
    const gql = await h.owner(orgId);
    const { auditLog } = await gql.expectData<{ auditLog: Connection }>(
      `query($filter: AuditLogFilterInput, $first: Int) {
         auditLog(filter: $filter, first: $first) { edges { node { ${ENTRY} } } } }`,
      { filter, first },
    );
    return auditLog.edges.map((e) => e.node);
  }

  const countIs = (orgId: string, n: number) =>
    until(`${n} entries of ${orgId}`, async () => {
      const found = await entries(orgId);
      return found.length === n ? found : undefined;
    });

  async function verify(orgId: string): Promise<Verification> {
    const gql = await h.owner(orgId);
    return (
      await gql.expectData<{ verifyAuditChain: Verification }>(`{ verifyAuditChain { ${VERIFY} } }`)
    ).verifyAuditChain;
  }

  /** Runs SQL as the database owner inside the organization's tenant (RLS is forced on it too). */
  async function asOwner(orgId: string, sql: string, params: unknown[] = []) {
    await owner.query('BEGIN');
    try {
      await owner.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
      const result = await owner.query(sql, params);
      await owner.query('COMMIT');
      return result;
    } catch (error) {
      await owner.query('ROLLBACK');
      throw error;
    }
  }

  it('chains consumed events per organization, each event once', async () => {
    const org = randomUUID();
    const first = await publish(org, { action: 'device.remove' });
    await publish(org, { action: 'device.settings_change' });
    await publish(org, { action: 'enrollment_token.create' });
    // A replay of the first event (same ce_id and id) appends nothing.
    await h.publish(Topics.compliance.audit, org, org, first, first.id);
    // Same event id under a new envelope id: the log stores each audit id once.
    await h.publish(Topics.compliance.audit, org, org, first, randomUUID());
    const marker = await publish(org, { action: 'marker.last' });
    const found = await until('the marker', async () => {
      const all = await entries(org);
      return all.some((e) => e.id === marker.id) ? all : undefined;
    });
    expect(found.map((e) => [e.sequence, e.action])).toEqual([
      [4, 'marker.last'],
      [3, 'enrollment_token.create'],
      [2, 'device.settings_change'],
      [1, 'device.remove'],
    ]);
    const [d, c, b, a] = found;
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    expect(d.prevHash).toBe(c.hash);
    expect(await verify(org)).toEqual({
      ok: true,
      checkedEntries: 4,
      anchorSequence: 0,
      headSequence: 4,
      prunedEntries: 0,
      firstBrokenAt: null,
    });
  });

  it('dead-letters an audit event it cannot store, and goes on with the next', async () => {
    const org = randomUUID();
    const dlq = await h.watch({ ...Topics.compliance.audit, name: Topics.compliance.audit.dlq });
    const bad = auditEvent(org, { id: 'not-a-uuid' });
    await h.publish(Topics.compliance.audit, org, org, bad);
    // An organization in the payload that is not the envelope's: never applied to either.
    const other = randomUUID();
    await h.publish(Topics.compliance.audit, org, org, auditEvent(other));
    const good = await publish(org, { action: 'after.poison' });
    const dead = await dlq.waitFor((e) => e.message.id === 'not-a-uuid');
    expect(dead.headers.sb_dlq_error).toMatch(/uuid id/);
    await dlq.waitFor((e) => e.message.orgId === other);
    const found = await countIs(org, 1);
    expect(found.map((e) => e.id)).toEqual([good.id]);
    expect(await h.sql(`SELECT 1 FROM audit_log WHERE org_id = $1`, [other])).toEqual([]);
  });

  it('names an entry changed directly in the database', async () => {
    const org = randomUUID();
    for (let i = 0; i < 4; i++) await publish(org, { actorId: `user-${i}` });
    const found = await countIs(org, 4);
    const third = found.find((e) => e.sequence === 3)!;
    await asOwner(org, `UPDATE audit_log SET actor_id = 'someone-else' WHERE id = $1`, [third.id]);
    expect(await verify(org)).toMatchObject({
      ok: false,
      checkedEntries: 2,
      firstBrokenAt: { sequence: 3, id: third.id, reason: 'HASH_MISMATCH' },
    });
  });

  it('names the entry after a deleted middle one, and a cut end', async () => {
    const org = randomUUID();
    for (let i = 0; i < 5; i++) await publish(org);
    const found = await countIs(org, 5);
    const bySequence = (n: number) => found.find((e) => e.sequence === n)!;
    await asOwner(org, `DELETE FROM audit_log WHERE org_id = $1 AND sequence = 3`, [org]);
    expect(await verify(org)).toMatchObject({
      ok: false,
      checkedEntries: 2,
      firstBrokenAt: { sequence: 4, id: bySequence(4).id, reason: 'SEQUENCE_GAP' },
    });

    const other = randomUUID();
    for (let i = 0; i < 3; i++) await publish(other);
    const otherEntries = await countIs(other, 3);
    await asOwner(other, `DELETE FROM audit_log WHERE org_id = $1 AND sequence = 3`, [other]);
    expect(await verify(other)).toMatchObject({
      ok: false,
      checkedEntries: 2,
      firstBrokenAt: {
        sequence: 2,
        id: otherEntries.find((e) => e.sequence === 2)!.id,
        reason: 'HEAD_MISMATCH',
      },
    });
  });

  it('never forks a chain under concurrent appends', async () => {
    const org = randomUUID();
    const service = h.app.get(AuditLogService);
    const dataSource = h.app.get(DataSource);
    const events = Array.from({ length: 25 }, () =>
      create(complianceV1.AuditEventSchema, auditEvent(org)),
    );
    // Every event twice, all at once: 25 appended, 25 duplicates, no failed transaction.
    const outcomes = await Promise.all(
      [...events, ...events].map((event) =>
        inTenantTransaction(dataSource, org, (tx) => service.append(tx, org, event)),
      ),
    );
    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(25);
    const rows = await h.sql<{ sequence: string }>(
      `SELECT sequence FROM audit_log WHERE org_id = $1 ORDER BY sequence`,
      [org],
    );
    expect(rows.map((r) => Number(r.sequence))).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await verify(org)).toMatchObject({ ok: true, checkedEntries: 25, headSequence: 25 });
  });

  it('prunes the oldest entries through a checkpoint that keeps the chain verifiable', async () => {
    const org = randomUUID();
    const service = h.app.get(AuditLogService);
    const dataSource = h.app.get(DataSource);
    const append = () =>
      inTenantTransaction(dataSource, org, (tx) =>
        service.append(tx, org, create(complianceV1.AuditEventSchema, auditEvent(org))),
      );
    h.clock.set(new Date('2030-01-01T00:00:00Z'));
    try {
      await append();
      await append();
      await append();
      h.clock.set(new Date('2030-04-01T00:00:00Z'));
      await append();
      await append();
      const cutoff = new Date('2030-03-01T00:00:00Z');
      expect(await service.prune(org, cutoff)).toBe(3);
      expect(await service.prune(org, cutoff)).toBe(0);
      expect(await verify(org)).toEqual({
        ok: true,
        checkedEntries: 2,
        anchorSequence: 3,
        headSequence: 5,
        prunedEntries: 3,
        firstBrokenAt: null,
      });
      // Appends go on after a prune.
      await append();
      expect(await verify(org)).toMatchObject({ ok: true, checkedEntries: 3, headSequence: 6 });

      // In batches (the retention job's steps): at most `limit` per call, oldest first.
      const later = new Date('2030-05-01T00:00:00Z');
      const batch = () =>
        inTenantTransaction(dataSource, org, (tx) => service.pruneBatch(tx, org, later, 2));
      expect(await batch()).toBe(2);
      expect(await verify(org)).toMatchObject({ ok: true, anchorSequence: 5, checkedEntries: 1 });
      expect(await batch()).toBe(1);
      expect(await batch()).toBe(0);
      // Everything pruned: the chain is its checkpoint, still verifiable, and goes on from it.
      expect(await verify(org)).toMatchObject({
        ok: true,
        checkedEntries: 0,
        anchorSequence: 6,
        headSequence: 6,
        prunedEntries: 6,
      });
      await append();
      expect(await verify(org)).toMatchObject({ ok: true, checkedEntries: 1, headSequence: 7 });
    } finally {
      h.clock.reset();
    }
  });

  it('is append-only for the application role', async () => {
    const org = randomUUID();
    await publish(org);
    await countIs(org, 1);
    const app = new Client({ connectionString: h.db.appUrl });
    await app.connect();
    try {
      for (const sql of [
        `UPDATE audit_log SET reason = 'x'`,
        `DELETE FROM audit_log`,
        `TRUNCATE audit_log`,
        `UPDATE audit_chain_heads SET anchor_sequence = 0`,
        `DELETE FROM audit_chain_heads`,
      ]) {
        await app.query('BEGIN');
        await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
        await expect(app.query(sql)).rejects.toThrow(/permission denied/);
        await app.query('ROLLBACK');
      }
      // Without a tenant the log shows nothing.
      expect((await app.query(`SELECT * FROM audit_log`)).rows).toEqual([]);
    } finally {
      await app.end();
    }
  });

  it('shows each organization only its own log', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await publish(a, { action: 'only.a' });
    await publish(b, { action: 'only.b' });
    await countIs(a, 1);
    await countIs(b, 1);
    expect((await entries(a)).map((e) => e.action)).toEqual(['only.a']);
    expect((await entries(b)).map((e) => e.action)).toEqual(['only.b']);
    // A member (no `admin` scope) reads nothing.
    const member = await h.member(a);
    expect(await member.errorCodes(`{ auditLog { edges { cursor } } }`)).toEqual(['FORBIDDEN']);
    expect(await member.errorCodes(`{ verifyAuditChain { ok } }`)).toEqual(['FORBIDDEN']);
  });

  it('filters by actor, action, resource and time, and pages', async () => {
    const org = randomUUID();
    const device = randomUUID();
    const t = (minute: number) => new Date(Date.UTC(2030, 5, 1, 12, minute));
    await publish(org, {
      actorId: 'alice',
      action: 'device.remove',
      resourceId: device,
      occurredAt: t(0),
    });
    await publish(org, {
      actorId: 'bob',
      action: 'device.settings_change',
      resourceId: device,
      occurredAt: t(10),
    });
    await publish(org, {
      actorId: 'alice',
      action: 'message.cancel',
      resourceType: 'message',
      occurredAt: t(20),
    });
    await publish(org, { actorId: 'carol', action: 'device.remove', occurredAt: t(30) });
    await countIs(org, 4);
    const actions = async (filter: object) => (await entries(org, filter)).map((e) => e.action);
    expect(await actions({ actorId: 'alice' })).toEqual(['message.cancel', 'device.remove']);
    expect(await actions({ action: 'device.remove' })).toEqual(['device.remove', 'device.remove']);
    expect(await actions({ resourceType: 'device', resourceId: device })).toEqual([
      'device.settings_change',
      'device.remove',
    ]);
    expect(await actions({ from: t(10).toISOString(), to: t(30).toISOString() })).toEqual([
      'message.cancel',
      'device.settings_change',
    ]);
    const gql = await h.owner(org);
    expect(
      await gql.errorCodes(
        `{ auditLog(filter: { from: "${t(30).toISOString()}", to: "${t(0).toISOString()}" }) { edges { cursor } } }`,
      ),
    ).toEqual(['INVALID_AUDIT_FILTER']);
    expect(await gql.errorCodes(`{ auditLog(after: "nope") { edges { cursor } } }`)).toEqual([
      'INVALID_PAGINATION',
    ]);
    expect(await gql.errorCodes(`{ auditLog(first: 1000) { edges { cursor } } }`)).toEqual([
      'INVALID_PAGINATION',
    ]);

    const pages: number[][] = [];
    let after: string | null = null;
    for (;;) {
      const { auditLog }: { auditLog: Connection } = await gql.expectData(
        `query($after: String) { auditLog(first: 3, after: $after) {
           edges { cursor node { sequence } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      pages.push(auditLog.edges.map((e) => e.node.sequence));
      if (!auditLog.pageInfo.hasNextPage) break;
      after = auditLog.pageInfo.endCursor;
    }
    expect(pages).toEqual([[4, 3, 2], [1]]);
  });

  it('lets a platform admin read with a reason, and audits that read', async () => {
    const org = randomUUID();
    await publish(org, { action: 'device.remove' });
    await countIs(org, 1);
    const admin = h.graphql(await h.tokens.user(randomUUID(), 'ADMIN'));
    const query = `query($orgId: ID!, $reason: String) {
      adminAuditLog(orgId: $orgId, reason: $reason) { edges { node { action } } } }`;
    expect(await admin.errorCodes(query, { orgId: org })).toEqual(['REASON_REQUIRED']);
    const customer = await h.owner(org);
    expect(await customer.errorCodes(query, { orgId: org, reason: 'curious' })).toEqual([
      'FORBIDDEN',
    ]);
    const { adminAuditLog } = await admin.expectData<{
      adminAuditLog: { edges: { node: { action: string } }[] };
    }>(query, { orgId: org, reason: 'support ticket 1234' });
    expect(adminAuditLog.edges.map((e) => e.node.action)).toContain('device.remove');
    const read = await until('the admin read in the log', async () =>
      (await entries(org)).find((e) => e.action === 'audit_log.read' && e.privileged),
    );
    expect(read.reason).toBe('support ticket 1234');
    const { adminVerifyAuditChain } = await admin.expectData<{
      adminVerifyAuditChain: Verification;
    }>(
      `query($orgId: ID!) { adminVerifyAuditChain(orgId: $orgId, reason: "quarterly check") { ${VERIFY} } }`,
      { orgId: org },
    );
    expect(adminVerifyAuditChain.ok).toBe(true);
  });

  it('keeps platform-level entries (no organization) on a chain of their own', async () => {
    const event = auditEvent('', { action: 'platform_admin.grant', resourceType: 'user' });
    await h.publish(Topics.compliance.audit, '', '', event, event.id);
    const admin = h.graphql(await h.tokens.user(randomUUID(), 'ADMIN'));
    const found = await until('the platform entry', async () => {
      const { adminAuditLog } = await admin.expectData<{
        adminAuditLog: { edges: { node: { id: string; action: string } }[] };
      }>(
        `query($orgId: ID!) { adminAuditLog(orgId: $orgId, reason: "platform review") {
           edges { node { id action } } } }`,
        { orgId: PLATFORM_CHAIN_ORG_ID },
      );
      return adminAuditLog.edges.find((e) => e.node.id === event.id);
    });
    expect(found.node.action).toBe('platform_admin.grant');
    const rows = await h.sql<{ org_id: string }>(`SELECT org_id FROM audit_log WHERE id = $1`, [
      event.id,
    ]);
    expect(rows).toEqual([{ org_id: PLATFORM_CHAIN_ORG_ID }]);
  });

  it('exports the filtered log as JSON lines, oldest first, with the chain links', async () => {
    const org = randomUUID();
    const other = randomUUID();
    await publish(other, { action: 'device.remove' });
    for (let i = 0; i < 3; i++)
      await publish(org, { action: 'device.remove', metadata: { n: String(i) } });
    await publish(org, { action: 'message.cancel' });
    const found = await countIs(org, 4);
    const owner = await h.owner(org);
    const { exportAuditLog } = await owner.expectData<{
      exportAuditLog: { id: string; url: string; expiresAt: string };
    }>(`mutation { exportAuditLog(filter: { action: "device.remove" }) { id url expiresAt } }`);
    const link = new URL(exportAuditLog.url);
    expect(link.pathname).toBe(`/downloads/audit-log/${exportAuditLog.id}`);
    // The link is served by the public entry point; here straight from the service.
    const response = await fetch(`${h.baseUrl}${link.pathname}${link.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.jsonl"/);
    const text = await response.text();
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(text.endsWith('\n')).toBe(true);
    expect(lines.map((l) => [l.sequence, l.action, l.orgId])).toEqual([
      [1, 'device.remove', org],
      [2, 'device.remove', org],
      [3, 'device.remove', org],
    ]);
    const first = found.find((e) => e.sequence === 1)!;
    expect(lines[0]).toMatchObject({
      id: first.id,
      actor: { type: 'USER', id: 'user-1', orgId: org },
      resource: { type: 'device' },
      outcome: 'SUCCESS',
      sourceService: 'devices',
      metadata: { n: '0' },
      prevHash: first.prevHash,
      hash: first.hash,
    });
  });

  it('serves an export only with its valid, unexpired link, and audits exports', async () => {
    const org = randomUUID();
    await publish(org, { action: 'device.remove' });
    await countIs(org, 1);
    const owner = await h.owner(org);
    const EXPORT = `mutation { exportAuditLog { id url expiresAt } }`;
    const { exportAuditLog } = await owner.expectData<{
      exportAuditLog: { id: string; url: string; expiresAt: string };
    }>(EXPORT);
    const link = new URL(exportAuditLog.url);
    const get = (path: string) => fetch(`${h.baseUrl}${path}`);
    const token = link.searchParams.get('token')!;
    // A tampered token, another id, no token: 404 AUDIT_EXPORT_NOT_FOUND, nothing streamed.
    for (const path of [
      `${link.pathname}?token=${token.slice(0, -2)}xx`,
      `/downloads/audit-log/${randomUUID()}?token=${encodeURIComponent(token)}`,
      link.pathname,
    ]) {
      const refused = await get(path);
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ code: 'AUDIT_EXPORT_NOT_FOUND' });
    }
    expect((await get(`${link.pathname}${link.search}`)).status).toBe(200);
    // Asking for it and downloading it are audit entries of the organization.
    await until('the export and download entries', async () => {
      const actions = (await entries(org)).map((e) => e.action);
      return actions.includes('audit_log.export') && actions.includes('audit_log.download');
    });
    // Members may not export; an expired link no longer works.
    expect(await (await h.member(org)).errorCodes(EXPORT)).toEqual(['FORBIDDEN']);
    h.clock.advance(h.config.DOWNLOAD_LINK_TTL_SECONDS * 1000 + 1000);
    try {
      expect((await get(`${link.pathname}${link.search}`)).status).toBe(404);
    } finally {
      h.clock.reset();
    }
  });
});
