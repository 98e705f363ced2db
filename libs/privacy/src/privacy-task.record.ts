import type { PrivacyRequestKind, PrivacySubject } from './privacy-subject';

/** One privacy request as a participating service carries it out. */
export interface PrivacyTaskRecord {
  orgId: string;
  requestId: string;
  kind: PrivacyRequestKind;
  subject: PrivacySubject;
  status: 'PENDING' | 'DONE';
  /** Export: the index of the section being written. */
  section: number;
  /** Export: the keyset cursor within the section (null: from its start). */
  cursor: string | null;
  /** Export: the sequence of the next chunk. */
  sequence: number;
  /** What was exported (items per section) or erased, so far. */
  counts: Record<string, number>;
  /** Erasure: the random stand-in for the subject's phone number (irreversible). */
  pseudonym: string | null;
}
