import type { EntityManager } from 'typeorm';
import type { ComplianceProjectionsRepository } from '../projections/compliance-projections.repository';
import type {
  OrganizationPolicyProjection,
  OrganizationProjection,
  SuppressionProjection,
} from '../projections/projection.record';
import { ComplianceFacts } from './compliance-facts';
import { ConsentPolicy } from './consent.policy';
import { DndPolicy } from './dnd.policy';
import { OptedOutPolicy } from './opted-out.policy';
import type { OutboundDraft, PreSendContext } from './pre-send-policy';
import { QuietHoursPolicy } from './quiet-hours.policy';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
const MIAMI = '+13055550123'; // Florida, America/New_York
const UNKNOWN = '+15555550123'; // no area code 555: the whole of NANP

const policy = (
  over: Partial<OrganizationPolicyProjection> = {},
): OrganizationPolicyProjection => ({
  quietHoursEnabled: true,
  windowStartMinute: 480,
  windowEndMinute: 1260,
  transactionalAction: 'REFUSE',
  applyStateRules: false,
  consentRequiredForCampaigns: false,
  version: 1n,
  updatedAt: null,
  ...over,
});

function setup(
  state?: Partial<SuppressionProjection>,
  organizationPolicy?: OrganizationPolicyProjection,
) {
  const reads = { suppression: 0, policy: 0 };
  const repository = {
    findSuppression: () => {
      reads.suppression += 1;
      return Promise.resolve(
        state
          ? {
              phoneNumber: MIAMI,
              optedOut: false,
              optedOutChangedAt: null,
              optOutSource: 'API',
              consent: false,
              consentChangedAt: null,
              dnd: false,
              version: 1n,
              updatedAt: null,
              ...state,
            }
          : undefined,
      );
    },
    findPolicy: () => {
      reads.policy += 1;
      return Promise.resolve(organizationPolicy);
    },
  } as unknown as ComplianceProjectionsRepository;
  const facts = new ComplianceFacts(repository);
  return {
    reads,
    optedOut: new OptedOutPolicy(facts),
    dnd: new DndPolicy(facts),
    consent: new ConsentPolicy(facts),
    quiet: new QuietHoursPolicy(facts),
  };
}

const draft = (over: Partial<OutboundDraft> = {}): OutboundDraft => ({
  to: MIAMI,
  from: null,
  body: 'hello',
  mediaUrls: [],
  purpose: 'CAMPAIGN',
  ...over,
});

const context = (at: string, organization?: Partial<OrganizationProjection>): PreSendContext => ({
  orgId: ORG,
  organization: organization
    ? {
        orgId: ORG,
        slug: 's',
        name: 'n',
        status: 'ACTIVE',
        defaultCountry: 'US',
        timezone: null,
        ...organization,
      }
    : undefined,
  defaultCountry: 'US',
  tx: {} as EntityManager,
  now: new Date(at),
});

describe('the compliance policies', () => {
  it('read the number’s state once per send for opt-out, DND and consent', async () => {
    const { reads, optedOut, dnd, consent } = setup(
      { dnd: true },
      policy({ consentRequiredForCampaigns: true }),
    );
    const ctx = context('2030-01-15T15:00:00Z');
    expect(await optedOut.check(draft(), ctx)).toEqual({ kind: 'allow' });
    expect(await dnd.check(draft(), ctx)).toMatchObject({ kind: 'reject', code: 'DND' });
    expect(await consent.check(draft(), ctx)).toMatchObject({ kind: 'reject', code: 'NO_CONSENT' });
    expect(reads).toEqual({ suppression: 1, policy: 1 });
  });

  it('quiet hours: Florida’s 20:00 applies only with state rules', async () => {
    // 20:30 in Miami.
    const at = '2030-01-16T01:30:00Z';
    const without = setup(undefined, policy());
    expect(await without.quiet.check(draft(), context(at))).toEqual({ kind: 'allow' });
    const withRules = setup(undefined, policy({ applyStateRules: true }));
    expect(await withRules.quiet.check(draft(), context(at))).toEqual({
      kind: 'allow',
      patch: { holdUntil: new Date('2030-01-16T13:00:00Z') }, // 08:00 the next morning
    });
    expect(
      await withRules.quiet.check(draft({ purpose: 'TRANSACTIONAL' }), context(at)),
    ).toMatchObject({ kind: 'reject', code: 'QUIET_HOURS' });
    expect(
      await withRules.quiet.check(draft({ purpose: 'COMPLIANCE_REPLY' }), context(at)),
    ).toEqual({ kind: 'allow' });
  });

  it('quiet hours: checked at the scheduled time, not now', async () => {
    const { quiet } = setup(undefined, policy());
    const ctx = { ...context('2030-01-15T15:00:00Z'), sendAt: new Date('2030-01-16T04:00:00Z') };
    expect(await quiet.check(draft(), ctx)).toEqual({
      kind: 'allow',
      patch: { holdUntil: new Date('2030-01-16T13:00:00Z') },
    });
  });

  it('the default policy (none published yet): 08:00–21:00, transactional sent at any hour', async () => {
    const { quiet } = setup();
    const night = context('2030-01-15T05:00:00Z'); // 00:00 in Miami
    expect(await quiet.check(draft({ purpose: 'TRANSACTIONAL' }), night)).toEqual({
      kind: 'allow',
    });
    expect(await quiet.check(draft(), night)).toMatchObject({
      patch: { holdUntil: expect.any(Date) },
    });
  });

  it('a number of no known zone: the windows of all NANP zones must meet, else the organization’s zone', async () => {
    const narrow = policy({ windowStartMinute: 600, windowEndMinute: 660 });
    const { quiet } = setup(undefined, narrow);
    // 10:30 in Tokyo, the organization's zone; NANP's zones never share a 10:00–11:00 hour.
    const at = '2030-01-15T01:30:00Z';
    expect(
      await quiet.check(draft({ to: UNKNOWN }), context(at, { timezone: 'Asia/Tokyo' })),
    ).toEqual({ kind: 'allow' });
  });
});
