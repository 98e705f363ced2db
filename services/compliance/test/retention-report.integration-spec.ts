// Retention reports: every service's runs arrive on compliance.retention-report.v1, are stored
// once, and `retentionReport` shows the owner its organization's runs (never another's), page
// by page; the platform-level runs (event tables) are the nil UUID's, for platform admins.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Topics } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

let h: ComplianceHarness;
const orgA = randomUUID();
const orgB = randomUUID();
const runId = randomUUID();

const RUNS = `query($first: Int, $after: String) {
  retentionReport(first: $first, after: $after) {
    edges { cursor node { runId service job counts { name value } startedAt finishedAt
      policy { bodyRetentionDays metadataRetentionMonths auditRetentionDays requestLogRetentionDays }
      policyVersion } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Runs {
  retentionReport: {
    edges: {
      cursor: string;
      node: {
        runId: string;
        service: string;
        job: string;
        counts: { name: string; value: number }[];
        policy: Record<string, number> | null;
        policyVersion: number;
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

function report(orgId: string, job: string, counts: Record<string, bigint>, minute: number) {
  const at = new Date(Date.UTC(2026, 10, 29, 3, minute));
  return h.publish(Topics.compliance.retentionReport, orgId || 'messaging', orgId, {
    runId,
    orgId,
    service: 'messaging',
    job,
    startedAt: timestampFromDate(new Date(at.getTime() - 1000)),
    finishedAt: timestampFromDate(at),
    counts,
    policy: orgId
      ? {
          bodyRetentionDays: 7,
          metadataRetentionMonths: 24,
          auditRetentionDays: 90,
          requestLogRetentionDays: 30,
        }
      : undefined,
    policyVersion: orgId ? 2n : 0n,
  });
}

beforeAll(async () => {
  h = await startComplianceHarness({ RETENTION_ENABLED: 'false' });
});

afterAll(async () => {
  await h?.close();
});

describe('retention reports', () => {
  it('stores every report once and shows the owner its organization’s runs, newest first', async () => {
    const bodies = randomUUID();
    await h.publish(
      Topics.compliance.retentionReport,
      orgA,
      orgA,
      {
        runId,
        orgId: orgA,
        service: 'messaging',
        job: 'message-bodies',
        startedAt: timestampFromDate(new Date(Date.UTC(2026, 10, 29, 3, 0))),
        finishedAt: timestampFromDate(new Date(Date.UTC(2026, 10, 29, 3, 1))),
        counts: { bodies_redacted: 120n },
        policy: {
          bodyRetentionDays: 7,
          metadataRetentionMonths: 24,
          auditRetentionDays: 90,
          requestLogRetentionDays: 30,
        },
        policyVersion: 2n,
      },
      bodies,
    );
    await report(orgA, 'message-metadata', { messages_purged: 4n, conversations_purged: 1n }, 2);
    await report(orgB, 'message-bodies', { bodies_redacted: 9n }, 3);
    await report('', 'event-tables', { outbox_deleted: 50n }, 4);
    // The same record delivered again is stored once.
    await h.publish(
      Topics.compliance.retentionReport,
      orgA,
      orgA,
      {
        runId,
        orgId: orgA,
        service: 'messaging',
        job: 'message-bodies',
        counts: { bodies_redacted: 120n },
      },
      bodies,
    );
    await eventually(async () => {
      const stored = await h.sql('SELECT 1 FROM retention_reports');
      if (stored.length < 4) throw new Error(`${stored.length} reports stored`);
    }, 15_000);

    const owner = await h.owner(orgA);
    const all = await owner.expectData<Runs>(RUNS, {});
    expect(all.retentionReport.edges.map((e) => e.node.job)).toEqual([
      'message-metadata',
      'message-bodies',
    ]);
    expect(all.retentionReport.edges[1].node).toEqual({
      runId,
      service: 'messaging',
      job: 'message-bodies',
      counts: [{ name: 'bodies_redacted', value: 120 }],
      startedAt: '2026-11-29T03:00:00.000Z',
      finishedAt: '2026-11-29T03:01:00.000Z',
      policy: {
        bodyRetentionDays: 7,
        metadataRetentionMonths: 24,
        auditRetentionDays: 90,
        requestLogRetentionDays: 30,
      },
      policyVersion: 2,
    });

    const first = await owner.expectData<Runs>(RUNS, { first: 1 });
    expect(first.retentionReport.pageInfo.hasNextPage).toBe(true);
    const second = await owner.expectData<Runs>(RUNS, {
      first: 1,
      after: first.retentionReport.pageInfo.endCursor,
    });
    expect(second.retentionReport.edges.map((e) => e.node.job)).toEqual(['message-bodies']);
    expect(second.retentionReport.pageInfo.hasNextPage).toBe(false);

    // The other organization sees its own run only.
    const other = await (await h.owner(orgB)).expectData<Runs>(RUNS, {});
    expect(other.retentionReport.edges.map((e) => e.node.counts)).toEqual([
      [{ name: 'bodies_redacted', value: 9 }],
    ]);
    // The platform-level run is stored under the nil UUID.
    const platform = await h.sql(
      `SELECT job FROM retention_reports WHERE org_id = '00000000-0000-0000-0000-000000000000'`,
    );
    expect(platform).toEqual([{ job: 'event-tables' }]);
  });

  it('refuses members and bad cursors', async () => {
    const member = await h.member(orgA);
    const denied = await member.request(RUNS, {});
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const owner = await h.owner(orgA);
    const bad = await owner.request(RUNS, { after: 'bm90LW91cnM' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_PAGINATION');
  });
});
