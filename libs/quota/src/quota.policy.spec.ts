import { ALLOWANCE_LEFT } from '../test/projections';
import type { QuotaProjection } from './quota-decision';
import { QuotaPolicy } from './quota.policy';
import {
  quotaProjectionOf,
  quotaProjectionSubquery,
  type QuotaStateStore,
} from './quota-state.store';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
/** The allowance used up. */
const used: QuotaProjection = { ...ALLOWANCE_LEFT, localIncludedUsed: 10 };

/** A store whose row has room, and that counts its reads. */
function storeWithRoom() {
  const reads: { lock?: boolean }[] = [];
  const store = {
    read: async (_tx: unknown, _org: string, options: { lock?: boolean } = {}) => {
      reads.push(options);
      return { ...ALLOWANCE_LEFT };
    },
  } as unknown as QuotaStateStore;
  return { policy: new QuotaPolicy(store), reads };
}

describe('QuotaPolicy.check', () => {
  it('decides on the projection the caller read already, without reading it again', async () => {
    const { policy, reads } = storeWithRoom();
    await expect(policy.check({} as never, ORG, 1, { known: used })).resolves.toBe(
      'QUOTA_EXCEEDED',
    );
    // None published: allowed, still without a read.
    await expect(policy.check({} as never, ORG, 1, { known: null })).resolves.toBeNull();
    expect(reads).toEqual([]);
  });

  it('reads the row itself when nothing was read, and under its lock whatever was', async () => {
    const { policy, reads } = storeWithRoom();
    await expect(policy.check({} as never, ORG, 1)).resolves.toBeNull();
    await expect(
      policy.check({} as never, ORG, 1, { known: used, lock: true }),
    ).resolves.toBeNull();
    expect(reads).toEqual([{}, { known: used, lock: true }]);
  });
});

describe('quotaProjectionSubquery', () => {
  it('reads the organization given by a parameter, and nothing else', () => {
    expect(quotaProjectionSubquery('$2')).toMatch(/FROM quota_states WHERE org_id = \$2\) q\)$/);
    expect(() => quotaProjectionSubquery("'x'")).toThrow(/parameter/);
  });

  it('answers null when no state is published', () => {
    expect(quotaProjectionOf(null)).toBeNull();
    expect(quotaProjectionOf(used)).toEqual(used);
  });
});
