// The organization policy through the public interfaces: defaults published when compliance
// first sees an organization, GraphQL read and owner-only change with validated ranges, each
// version on compliance.policy.v1 and each change in the audit log; the committed SDL.
import { randomUUID } from 'node:crypto';
import { complianceV1, Topics } from '@switchboard/contracts';
import { Client } from 'pg';
import {
  eventually,
  expectCommittedSubgraphSchema,
  stackSetting,
  type EventWatcher,
} from '@switchboard/testing';
import { PolicyService } from '../src/policy/policy.service';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

const POLICY = `quietHours { enabled windowStartMinute windowEndMinute transactionalAction applyStateRules }
  consentRequiredForCampaigns
  retention { bodyRetentionDays metadataRetentionMonths auditRetentionDays requestLogRetentionDays }
  replies { stop start help } version`;

describe('organization policy', () => {
  let h: ComplianceHarness;
  let policies: EventWatcher<typeof complianceV1.OrganizationPolicySchema>;
  let audits: EventWatcher<typeof complianceV1.AuditEventSchema>;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startComplianceHarness();
    policies = await h.watch(Topics.compliance.policy);
    audits = await h.watch(Topics.compliance.audit);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('publishes the defaults when an organization is created', async () => {
    await h.organizationCreated(org);
    const published = await policies.waitFor((e) => e.key === org);
    expect(published.headers.ce_orgid).toBe(org);
    expect(published.message).toMatchObject({
      orgId: org,
      quietHours: {
        enabled: true,
        windowStartMinute: 480,
        windowEndMinute: 1260,
        transactionalAction: complianceV1.QuietHoursAction.SEND,
        applyStateRules: true,
      },
      consentRequiredForCampaigns: false,
      retention: {
        bodyRetentionDays: 7,
        metadataRetentionMonths: 24,
        auditRetentionDays: 90,
        requestLogRetentionDays: 30,
      },
      version: 1n,
    });
    // A redelivered or repeated `created` publishes nothing new.
    await h.organizationCreated(org);
    const member = await h.member(org);
    const { compliancePolicy } = await member.expectData<{ compliancePolicy: { version: number } }>(
      `{ compliancePolicy { ${POLICY} } }`,
    );
    expect(compliancePolicy).toMatchObject({
      version: 1,
      quietHours: { windowStartMinute: 480, windowEndMinute: 1260, transactionalAction: 'SEND' },
      replies: { stop: null, start: null, help: null },
    });
    expect(policies.events.filter((e) => e.key === org)).toHaveLength(1);
  });

  it('lets only the owner change it, publishes the new version and audits the change', async () => {
    const member = await h.member(org);
    expect(
      await member.errorCodes(
        `mutation { updateCompliancePolicy(input: { consentRequiredForCampaigns: true }) { version } }`,
      ),
    ).toEqual(['FORBIDDEN']);

    const owner = await h.owner(org);
    const { updateCompliancePolicy } = await owner.expectData<{
      updateCompliancePolicy: Record<string, unknown>;
    }>(
      `mutation($input: UpdateCompliancePolicyInput!) { updateCompliancePolicy(input: $input) { ${POLICY} } }`,
      {
        input: {
          windowStartMinute: 540,
          windowEndMinute: 1200,
          transactionalAction: 'HOLD',
          consentRequiredForCampaigns: true,
          auditRetentionDays: 2555,
          stopReply: '{{organization}}: unsubscribed. Reply START to come back.',
        },
      },
    );
    expect(updateCompliancePolicy).toMatchObject({
      version: 2,
      quietHours: { windowStartMinute: 540, windowEndMinute: 1200, transactionalAction: 'HOLD' },
      consentRequiredForCampaigns: true,
      retention: { auditRetentionDays: 2555, bodyRetentionDays: 7 },
      replies: { stop: '{{organization}}: unsubscribed. Reply START to come back.' },
    });
    const published = await policies.waitFor((e) => e.key === org && e.message.version === 2n);
    expect(published.message).toMatchObject({
      consentRequiredForCampaigns: true,
      quietHours: { transactionalAction: complianceV1.QuietHoursAction.HOLD },
      retention: { auditRetentionDays: 2555 },
    });
    const audit = await audits.waitFor((e) => e.message.action === 'compliance_policy.update');
    expect(audit.key).toBe(org);
    expect(audit.message).toMatchObject({
      orgId: org,
      resourceType: 'compliance_policy',
      sourceService: 'compliance',
      outcome: complianceV1.AuditOutcome.SUCCESS,
    });
    expect(audit.message.metadata.fields.split(',').sort()).toEqual(
      [
        'auditRetentionDays',
        'consentRequiredForCampaigns',
        'stopReply',
        'transactionalAction',
        'windowEndMinute',
        'windowStartMinute',
      ].sort(),
    );
  });

  it('refuses values out of range with INVALID_POLICY and changes nothing', async () => {
    const owner = await h.owner(org);
    const update = (input: Record<string, unknown>) =>
      owner.errorCodes(
        `mutation($input: UpdateCompliancePolicyInput!) { updateCompliancePolicy(input: $input) { version } }`,
        { input },
      );
    expect(await update({ auditRetentionDays: 2556 })).toEqual(['INVALID_POLICY']);
    expect(await update({ bodyRetentionDays: 0 })).toEqual(['INVALID_POLICY']);
    expect(await update({ bodyRetentionDays: 91 })).toEqual(['INVALID_POLICY']);
    expect(await update({ metadataRetentionMonths: 25 })).toEqual(['INVALID_POLICY']);
    expect(await update({ windowStartMinute: 1260, windowEndMinute: 480 })).toEqual([
      'INVALID_POLICY',
    ]);
    expect(await update({ windowEndMinute: 1441 })).toEqual(['INVALID_POLICY']);
    expect(await update({ helpReply: 'x'.repeat(460) })).toEqual(['INVALID_POLICY']);
    const { compliancePolicy } = await owner.expectData<{ compliancePolicy: { version: number } }>(
      `{ compliancePolicy { version } }`,
    );
    expect(compliancePolicy.version).toBe(2);
  });

  it('keeps each organization to its own policy', async () => {
    const other = randomUUID();
    const owner = await h.owner(other);
    const { compliancePolicy } = await owner.expectData<{
      compliancePolicy: { version: number; consentRequiredForCampaigns: boolean };
    }>(`{ compliancePolicy { version consentRequiredForCampaigns } }`);
    expect(compliancePolicy).toEqual({ version: 1, consentRequiredForCampaigns: false });
    // First seen through the API: listed for the scheduled jobs, its defaults published.
    expect(await h.sql(`SELECT id FROM tenants WHERE id = $1`, [other])).toEqual([{ id: other }]);
    await policies.waitFor((e) => e.key === other && e.message.version === 1n);
  });

  it('changes the policy of an organization it is seeing for the first time while its created event is being applied', async () => {
    const fresh = randomUUID();
    const owner = await h.owner(fresh);
    // The organization consumer's transaction, paused after its first write (the tenant row).
    const consumer = new Client({ connectionString: h.db.appUrl });
    await consumer.connect();
    const admin = new Client({ connectionString: stackSetting('PG_ADMIN_URL') });
    await admin.connect();
    try {
      await consumer.query('BEGIN');
      await consumer.query(`SELECT set_config('app.org_id', $1, true)`, [fresh]);
      await consumer.query('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING', [fresh]);
      const change = owner.request<{ updateCompliancePolicy: { version: number } }>(
        'mutation { updateCompliancePolicy(input: { quietHoursEnabled: false }) { version } }',
      );
      await eventually(async () => {
        const { rows } = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
          [h.db.name],
        );
        if (rows.length === 0) throw new Error('the request does not wait on the consumer yet');
      });
      // The consumer goes on as OrganizationService.register does: the policy after the tenant.
      await h.app.get(PolicyService).ensure(consumer, fresh);
      await consumer.query('COMMIT');
      const result = await change;
      expect(result.errors).toBeUndefined();
      expect(result.data?.updateCompliancePolicy.version).toBe(2);
    } finally {
      await consumer.end();
      await admin.end();
    }
  });

  it('serves the committed subgraph schema', async () => {
    const sdl = await expectCommittedSubgraphSchema(h.graphql(), 'compliance');
    expect(sdl).toMatch(/updateCompliancePolicy/);
  });
});
