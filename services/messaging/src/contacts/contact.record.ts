import type { OptInEvidence } from '../domain/contact-import';

/** A contact as stored. */
export interface ContactRecord {
  id: string;
  orgId: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
  optIn: OptInEvidence | null;
  createdAt: Date;
  updatedAt: Date;
  /** created_at in microseconds (the keyset cursor's position). */
  createdMicros: string;
}

/** A number's state before an import batch writes it. */
export interface ExistingContact {
  id: string;
  phoneNumber: string;
  attributes: Record<string, string>;
  lastImportId: string | null;
  lastImportRow: number | null;
}
