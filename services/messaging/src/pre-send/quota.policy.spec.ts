import type { EntityManager } from 'typeorm';
import type { QuotaPolicy } from '@switchboard/quota';
import {
  PreSendBatchDeclined,
  PreSendContended,
  takePreSendReservations,
  takePreSendReservationsAll,
  type PreSendContext,
} from './pre-send-policy';
import { QuotaSendPolicy } from './quota.policy';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
const context = (over: Partial<PreSendContext> = {}): PreSendContext => ({
  orgId: ORG,
  organization: undefined,
  defaultCountry: 'US',
  tx: {} as EntityManager,
  now: new Date('2030-01-01T00:00:00Z'),
  ...over,
});

/** A QuotaPolicy that records its calls and answers as told. */
function fakeQuota(
  answers: { refusal?: 'QUOTA_EXCEEDED' | null; taken?: boolean; fits?: boolean } = {},
) {
  const calls: unknown[][] = [];
  const quota = {
    check: async (...args: unknown[]) => (
      calls.push(['check', ...args.slice(1)]),
      answers.refusal ?? null
    ),
    take: async (...args: unknown[]) => (
      calls.push(['take', ...args.slice(1)]),
      answers.taken ?? true
    ),
    fitsAll: async (...args: unknown[]) => (
      calls.push(['fitsAll', ...args.slice(1)]),
      answers.fits ?? true
    ),
  } as unknown as QuotaPolicy;
  return { quota, calls };
}

describe('QuotaSendPolicy', () => {
  it('checks without a lock, takes last, and locks only when contended', async () => {
    const { quota, calls } = fakeQuota();
    const policy = new QuotaSendPolicy(quota);
    const draft = { to: '+14155550123', from: null, body: 'hi', mediaUrls: [], segments: 2 };
    expect(await policy.check(draft, context())).toEqual({ kind: 'allow' });
    await takePreSendReservations([policy], draft, context());
    expect(await policy.check(draft, context({ contended: true }))).toEqual({ kind: 'allow' });
    expect(calls).toEqual([
      ['check', ORG, 2, { lock: undefined, mms: false }],
      ['take', ORG, 2, { mms: false }],
      ['check', ORG, 2, { lock: true, mms: false }],
    ]);
  });

  it('checks and takes a message with media as an MMS', async () => {
    const { quota, calls } = fakeQuota();
    const policy = new QuotaSendPolicy(quota);
    const draft = {
      to: '+14155550123',
      from: null,
      body: 'a picture',
      mediaUrls: ['https://cdn.example.com/a.png'],
      segments: 1,
    };
    await policy.check(draft, context());
    await policy.take(draft, context());
    expect(calls).toEqual([
      ['check', ORG, 1, { lock: undefined, mms: true }],
      ['take', ORG, 1, { mms: true }],
    ]);
  });

  it('turns a lost take into PreSendContended, and leaves compliance replies alone', async () => {
    const policy = new QuotaSendPolicy(fakeQuota({ taken: false }).quota);
    const draft = { to: '+14155550123', from: null, body: 'hi', mediaUrls: [], segments: 1 };
    await expect(takePreSendReservations([policy], draft, context())).rejects.toBeInstanceOf(
      PreSendContended,
    );
    const reply = { ...draft, purpose: 'COMPLIANCE_REPLY' as const };
    await expect(takePreSendReservations([policy], reply, context())).resolves.toBeUndefined();
    const refusing = new QuotaSendPolicy(fakeQuota({ refusal: 'QUOTA_EXCEEDED' }).quota);
    expect(await refusing.check(draft, context())).toMatchObject({
      kind: 'reject',
      code: 'QUOTA_EXCEEDED',
    });
  });
});

describe('QuotaSendPolicy on a batch chunk', () => {
  const drafts = [1, 3, undefined].map((segments) => ({
    to: '+14155550123',
    from: null,
    body: 'hi',
    mediaUrls: [],
    segments,
  }));

  it("reads the quota once for the chunk's total; every draft is then allowed without a read, and taken at once", async () => {
    const { quota, calls } = fakeQuota();
    const policy = new QuotaSendPolicy(quota);
    const ctx = context({ prepared: {} });
    await policy.prepare(drafts, ctx);
    for (const d of drafts) expect(await policy.check(d, ctx)).toEqual({ kind: 'allow' });
    await takePreSendReservationsAll([policy], drafts, ctx);
    expect(calls).toEqual([
      ['fitsAll', ORG, 5],
      ['take', ORG, 5],
    ]);
  });

  it('declines a chunk the quota does not cover whole, and a chunk whose take lost', async () => {
    const short = fakeQuota({ fits: false });
    await expect(
      new QuotaSendPolicy(short.quota).prepare(drafts, context({ prepared: {} })),
    ).rejects.toBeInstanceOf(PreSendBatchDeclined);
    const lost = fakeQuota({ taken: false });
    await expect(
      takePreSendReservationsAll([new QuotaSendPolicy(lost.quota)], drafts, context()),
    ).rejects.toBeInstanceOf(PreSendBatchDeclined);
  });

  it('leaves compliance replies out of the total', async () => {
    const { quota, calls } = fakeQuota();
    const ctx = context({ prepared: {} });
    const reply = { ...drafts[0], purpose: 'COMPLIANCE_REPLY' as const, segments: 4 };
    await new QuotaSendPolicy(quota).prepare([drafts[0], reply], ctx);
    expect(calls).toEqual([['fitsAll', ORG, 1]]);
  });
});
