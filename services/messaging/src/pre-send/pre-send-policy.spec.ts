import type { EntityManager } from 'typeorm';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { BodyPolicy } from './body.policy';
import { NumberPolicy } from './number.policy';
import { OrganizationStatusPolicy } from './organization-status.policy';
import {
  runPreSendPolicies,
  runPreSendPoliciesBatch,
  type OutboundDraft,
  type PreSendContext,
  type PreSendPolicy,
} from './pre-send-policy';

const context = (over: Partial<PreSendContext> = {}): PreSendContext => ({
  orgId: '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d',
  organization: undefined,
  defaultCountry: 'US',
  tx: {} as EntityManager,
  now: new Date('2030-01-01T00:00:00Z'),
  ...over,
});

const draft = (over: Partial<OutboundDraft> = {}): OutboundDraft => ({
  to: '(415) 555-0123',
  from: null,
  body: 'hello',
  mediaUrls: [],
  ...over,
});

const chain = () => [
  new NumberPolicy(),
  new BodyPolicy({ MESSAGE_MAX_SEGMENTS: 10 }),
  new OrganizationStatusPolicy(),
];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MessagingException) return error.code;
    throw error;
  }
  return 'no error';
}

describe('the pre-send chain', () => {
  it('normalizes the numbers and computes encoding and segments', async () => {
    expect(
      await runPreSendPolicies(chain(), draft({ from: '+1 (415) 555-9999' }), context()),
    ).toEqual({
      outcome: 'allow',
      draft: {
        to: '+14155550123',
        from: '+14155559999',
        body: 'hello',
        mediaUrls: [],
        encoding: 'GSM7',
        segments: 1,
      },
    });
  });

  it('reads national numbers in the organization country', async () => {
    const result = await runPreSendPolicies(
      chain(),
      draft({ to: '07911 123456' }),
      context({ defaultCountry: 'GB' }),
    );
    expect(result.draft.to).toBe('+447911123456');
  });

  it.each([
    [{ to: '12345' }, MessagingErrorCode.INVALID_NUMBER],
    [{ from: 'abc' }, MessagingErrorCode.INVALID_NUMBER],
    [{ body: '' }, MessagingErrorCode.BODY_REQUIRED],
    [{ body: ' \n ' }, MessagingErrorCode.BODY_REQUIRED],
    [{ body: 'a'.repeat(1531) }, MessagingErrorCode.BODY_TOO_LONG],
    [{ body: 'ş'.repeat(671) }, MessagingErrorCode.BODY_TOO_LONG],
    [{ body: 'x'.repeat(1_000_000) }, MessagingErrorCode.BODY_TOO_LONG],
  ])('refuses invalid input %#', async (over, code) => {
    expect(await codeOf(runPreSendPolicies(chain(), draft(over), context()))).toBe(code);
  });

  it('accepts the longest allowed bodies', async () => {
    // 76 € per part: an escape pair is never split, so 153 septets hold only 152 of them.
    for (const body of ['a'.repeat(1530), 'ş'.repeat(670), '€'.repeat(760)]) {
      const result = await runPreSendPolicies(chain(), draft({ body }), context());
      expect(result.draft.segments).toBe(10);
    }
  });

  it('a policy can reject a valid message with a reason', async () => {
    const result = await runPreSendPolicies(
      chain(),
      draft(),
      context({
        organization: {
          orgId: 'o',
          slug: 's',
          name: 'n',
          timezone: null,
          status: 'SUSPENDED',
          defaultCountry: null,
        },
      }),
    );
    expect(result).toMatchObject({
      outcome: 'reject',
      code: 'ORGANIZATION_SUSPENDED',
      policy: 'organization-status',
      draft: { to: '+14155550123', segments: 1 },
    });
  });

  it('runs the policies in order; the first that does not allow decides', async () => {
    const seen: string[] = [];
    const spy = (
      name: string,
      verdict: Awaited<ReturnType<PreSendPolicy['check']>>,
    ): PreSendPolicy => ({
      name,
      check: async (d) => {
        seen.push(`${name}:${d.body}`);
        return verdict;
      },
    });
    const result = await runPreSendPolicies(
      [
        spy('a', { kind: 'allow', patch: { body: 'patched' } }),
        spy('b', { kind: 'reject', code: 'OPTED_OUT', reason: 'the contact opted out' }),
        spy('c', { kind: 'allow' }),
      ],
      draft(),
      context(),
    );
    expect(seen).toEqual(['a:hello', 'b:patched']);
    expect(result).toMatchObject({ outcome: 'reject', code: 'OPTED_OUT', policy: 'b' });
  });

  it('an invalid verdict throws its error', async () => {
    const error = new MessagingException(MessagingErrorCode.INVALID_NUMBER, 'nope');
    await expect(
      runPreSendPolicies(
        [{ name: 'x', check: () => ({ kind: 'invalid', error }) }],
        draft(),
        context(),
      ),
    ).rejects.toBe(error);
  });
});

describe('the pre-send chain over a batch', () => {
  it('gives each draft the verdict the chain gives it alone', async () => {
    const drafts = [
      draft(),
      draft({ to: 'nope' }),
      draft({ body: '' }),
      draft({ from: '+1 (415) 555-9999', body: 'é'.repeat(80) }),
    ];
    const suspended = context({
      organization: { status: 'SUSPENDED' } as PreSendContext['organization'],
    });
    for (const ctx of [context(), suspended]) {
      const alone = await Promise.all(
        drafts.map((d) =>
          runPreSendPolicies(chain(), d, ctx).catch((error: MessagingException) => ({
            outcome: 'invalid' as const,
            error,
          })),
        ),
      );
      const batch = await runPreSendPoliciesBatch(
        chain(),
        drafts,
        drafts.map(() => ctx),
        ctx,
      );
      expect(batch).toEqual(alone);
    }
  });

  it("runs each policy's prepare once, on the drafts still allowed as the earlier policies left them", async () => {
    const prepared: string[][] = [];
    const recorder: PreSendPolicy = {
      name: 'recorder',
      prepare: async (drafts) => {
        prepared.push(drafts.map((d) => d.to));
      },
      check: () => ({ kind: 'allow' }),
    };
    const results = await runPreSendPoliciesBatch(
      [...chain(), recorder],
      [draft(), draft({ to: 'nope' }), draft({ to: '415 555 0124' })],
      [context(), context(), context()],
      context(),
    );
    expect(prepared).toEqual([['+14155550123', '+14155550124']]);
    expect(results.map((r) => r.outcome)).toEqual(['allow', 'invalid', 'allow']);
  });
});
