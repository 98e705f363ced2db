import { describeVerification } from './audit-chain';

describe('the audit chain verification, said plainly', () => {
  const base = { anchorSequence: 0, headSequence: 12, checkedEntries: 12, prunedEntries: 0 };

  it('says intact, with the range checked and what retention deleted', () => {
    expect(describeVerification({ ...base, ok: true })).toBe(
      'Intact: 12 entries checked, #1 to #12.',
    );
    expect(
      describeVerification({
        ...base,
        ok: true,
        anchorSequence: 4,
        checkedEntries: 8,
        prunedEntries: 4,
      }),
    ).toBe('Intact: 8 entries checked, #5 to #12 (4 older entries deleted by retention).');
    expect(describeVerification({ ...base, ok: true, checkedEntries: 0, headSequence: 0 })).toBe(
      'Intact: no entries to check yet.',
    );
  });

  it('names the first entry where the chain breaks and why', () => {
    expect(
      describeVerification({
        ...base,
        ok: false,
        firstBrokenAt: { sequence: 7, reason: 'HASH_MISMATCH', expected: 'aa', found: 'bb' },
      }),
    ).toBe('Broken at entry #7: the entry itself was changed (HASH_MISMATCH).');
    expect(describeVerification({ ...base, ok: false, firstBrokenAt: null })).toBe(
      'Broken: the chain does not verify (12 entries checked).',
    );
  });
});
