import fc from 'fast-check';
import { ALLOWANCE_LEFT } from '../test/projections';
import { decideQuota, type QuotaProjection } from './quota-decision';

const base: QuotaProjection = { ...ALLOWANCE_LEFT };

describe('decideQuota', () => {
  it('takes the allowance first, then the wallet at the highest price', () => {
    expect(decideQuota(base, 3)).toEqual({ allowed: true, includedDebit: 3, walletDebitMinor: 0 });
    expect(decideQuota({ ...base, localIncludedUsed: 9, walletAvailableMinor: 4 }, 3)).toEqual({
      allowed: true,
      includedDebit: 1,
      walletDebitMinor: 4,
    });
  });

  it('allows overage when the plan does', () => {
    expect(decideQuota({ ...base, remainingIncluded: 0, overageAllowed: true }, 5)).toEqual({
      allowed: true,
      includedDebit: 0,
      walletDebitMinor: 0,
    });
  });

  it('refuses past the allowance and the wallet, with the limit that was reached', () => {
    expect(decideQuota({ ...base, localIncludedUsed: 10 }, 1)).toEqual({
      allowed: false,
      code: 'QUOTA_EXCEEDED',
    });
    expect(decideQuota({ ...base, localIncludedUsed: 10, walletAvailableMinor: 3 }, 2)).toEqual({
      allowed: false,
      code: 'INSUFFICIENT_FUNDS',
    });
    expect(
      decideQuota({ ...base, remainingIncluded: 0, blockReason: 'INSUFFICIENT_FUNDS' }, 1),
    ).toEqual({ allowed: false, code: 'INSUFFICIENT_FUNDS' });
    // Local debits count: 5 spent of 6 leaves less than one 2-cent segment.
    expect(
      decideQuota(
        { ...base, remainingIncluded: 0, walletAvailableMinor: 6, localWalletSpent: 5 },
        1,
      ),
    ).toEqual({ allowed: false, code: 'INSUFFICIENT_FUNDS' });
  });

  it('takes an MMS as one unit at the MMS price, never from the allowance', () => {
    expect(decideQuota({ ...base, walletAvailableMinor: 5 }, 3, true)).toEqual({
      allowed: true,
      includedDebit: 0,
      walletDebitMinor: 5,
    });
    expect(decideQuota({ ...base, walletAvailableMinor: 4 }, 1, true)).toEqual({
      allowed: false,
      code: 'INSUFFICIENT_FUNDS',
    });
    expect(decideQuota({ ...base, overageAllowed: true }, 1, true)).toEqual({
      allowed: true,
      includedDebit: 0,
      walletDebitMinor: 0,
    });
  });
});

describe('a batch total (QuotaPolicy.fitsAll)', () => {
  it('when the total fits, each message fits after the ones before it, debiting the same', () => {
    fc.assert(
      fc.property(
        fc.record({
          remainingIncluded: fc.integer({ min: 0, max: 50 }),
          walletAvailableMinor: fc.integer({ min: 0, max: 200 }),
          maxSegmentPriceMinor: fc.integer({ min: 0, max: 5 }),
          overageAllowed: fc.boolean(),
          localIncludedUsed: fc.integer({ min: 0, max: 20 }),
          localWalletSpent: fc.integer({ min: 0, max: 50 }),
        }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 30 }),
        (state, segments) => {
          const p: QuotaProjection = { ...base, ...state };
          const total = decideQuota(
            p,
            segments.reduce((a, b) => a + b, 0),
          );
          fc.pre(total.allowed);
          let running = { ...p };
          let included = 0;
          let wallet = 0;
          for (const s of segments) {
            const one = decideQuota(running, s);
            expect(one.allowed).toBe(true);
            if (!one.allowed) return;
            included += one.includedDebit;
            wallet += one.walletDebitMinor;
            running = {
              ...running,
              localIncludedUsed: running.localIncludedUsed + one.includedDebit,
              localWalletSpent: running.localWalletSpent + one.walletDebitMinor,
            };
          }
          expect(total.allowed && [included, wallet]).toEqual([
            total.allowed && total.includedDebit,
            total.allowed && total.walletDebitMinor,
          ]);
        },
      ),
    );
  });
});
