// The audit chain verification, said plainly.

export interface ChainVerification {
  ok: boolean;
  checkedEntries: number;
  anchorSequence: number;
  headSequence: number;
  prunedEntries: number;
  firstBrokenAt?: {
    sequence: number;
    reason: 'SEQUENCE_GAP' | 'PREV_HASH_MISMATCH' | 'HASH_MISMATCH' | 'HEAD_MISMATCH';
    expected: string;
    found: string;
  } | null;
}

const REASONS: Record<NonNullable<ChainVerification['firstBrokenAt']>['reason'], string> = {
  SEQUENCE_GAP: 'entries before it are missing',
  PREV_HASH_MISMATCH: 'it does not link to the entry before it (that one was changed or replaced)',
  HASH_MISMATCH: 'the entry itself was changed',
  HEAD_MISMATCH: 'the last entries are missing',
};

/** One sentence: intact (how many entries, from where), or the first entry where it breaks. */
export function describeVerification(v: ChainVerification): string {
  const pruned =
    v.prunedEntries > 0 ? ` (${v.prunedEntries} older entries deleted by retention)` : '';
  if (v.ok)
    return v.checkedEntries === 0
      ? `Intact: no entries to check yet${pruned}.`
      : `Intact: ${v.checkedEntries} entries checked, #${v.anchorSequence + 1} to #${v.headSequence}${pruned}.`;
  const at = v.firstBrokenAt;
  if (!at) return `Broken: the chain does not verify (${v.checkedEntries} entries checked).`;
  return `Broken at entry #${at.sequence}: ${REASONS[at.reason]} (${at.reason}).`;
}
