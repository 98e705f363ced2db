// An organization's lifecycle from accounts.organization.v1: closure keeps the opt-out list (a
// legal hold) and freezes the policy, reopening unfreezes it, and the purge deletes every
// compliance-core row of the organization — and nothing of another.
import { randomUUID } from 'node:crypto';
import { eventually } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

const TABLES = ['organizations', 'organization_policies', 'suppressions', 'suppression_history'];

describe('organization lifecycle', () => {
  let h: ComplianceHarness;
  const org = randomUUID();
  const other = randomUUID();

  const counts = async (orgId: string) => {
    const found: Record<string, number> = {};
    for (const table of TABLES) {
      const [{ n }] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`,
        [orgId],
      );
      found[table] = n;
    }
    return found;
  };

  beforeAll(async () => {
    h = await startComplianceHarness();
    for (const id of [org, other]) {
      await h.organizationCreated(id);
      const owner = await h.owner(id);
      await owner.expectData(
        `mutation { optOut(phoneNumber: "+14155550150", reason: "asked") { version } }`,
      );
      await owner.expectData(
        `mutation { recordConsent(input: { phoneNumber: "+14155550151", text: "Yes" }) { version } }`,
      );
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  it('keeps opt-outs of a closed organization and freezes its policy until reopened', async () => {
    await h.organizationEvent(org, { case: 'deletionScheduled', value: {} });
    await eventually(async () => {
      const [row] = await h.sql(`SELECT closed_at FROM tenants WHERE id = $1`, [org]);
      expect(row?.closed_at).toBeInstanceOf(Date);
    });
    const owner = await h.owner(org);
    expect(
      await owner.errorCodes(
        `mutation { updateCompliancePolicy(input: { bodyRetentionDays: 3 }) { version } }`,
      ),
    ).toEqual(['ORGANIZATION_CLOSED']);
    const { suppression } = await owner.expectData<{ suppression: { optedOut: boolean } }>(
      `{ suppression(phoneNumber: "+14155550150") { optedOut } }`,
    );
    expect(suppression.optedOut).toBe(true);

    await h.organizationEvent(org, { case: 'deletionCanceled', value: {} });
    await eventually(async () =>
      expect(
        await owner.errorCodes(
          `mutation { updateCompliancePolicy(input: { bodyRetentionDays: 3 }) { version } }`,
        ),
      ).toEqual([]),
    );
  });

  it('purges every row of a deleted organization, and only its rows', async () => {
    expect(await counts(org)).toEqual({
      organizations: 1,
      organization_policies: 1,
      suppressions: 2,
      suppression_history: 2,
    });
    await h.organizationEvent(org, { case: 'deleted', value: { slug: 'gone' } });
    await eventually(async () =>
      expect(await counts(org)).toEqual({
        organizations: 0,
        organization_policies: 0,
        suppressions: 0,
        suppression_history: 0,
      }),
    );
    expect(await h.sql(`SELECT 1 FROM tenants WHERE id = $1`, [org])).toEqual([]);
    expect(await counts(other)).toEqual({
      organizations: 1,
      organization_policies: 1,
      suppressions: 2,
      suppression_history: 2,
    });
  });
});
