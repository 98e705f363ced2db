import type { SegmentFilter } from '../domain/segment';

export type ContactListKind = 'STATIC' | 'SEGMENT';

/** A list as stored: a static list, or a segment (an attribute filter). */
export interface ContactListRecord {
  id: string;
  orgId: string;
  name: string;
  kind: ContactListKind;
  filter: SegmentFilter | null;
  /** A counter kept by every membership write (never counted at read time). */
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
  createdMicros: string;
}

/** A contact in a static list, with when it was added (the members connection's order). */
export interface ListMemberRecord {
  contactId: string;
  addedAt: Date;
  addedMicros: string;
}
