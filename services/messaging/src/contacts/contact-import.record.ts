import type { ImportRowProblem } from '../domain/contact-import';

export type ContactImportStatus = 'AWAITING_UPLOAD' | 'RUNNING' | 'COMPLETED' | 'FAILED';

/** One CSV import, with its progress counters (updated by every committed batch). */
export interface ContactImportRecord {
  id: string;
  orgId: string;
  listId: string | null;
  status: ContactImportStatus;
  defaultCountry: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  contactsCreated: number;
  contactsUpdated: number;
  failure: string | null;
  uploadExpiresAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What one batch adds to the counters. */
export interface ImportProgress {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  contactsCreated: number;
  contactsUpdated: number;
}

export type ImportErrorRecord = ImportRowProblem;
