import type { PrivacyKind, Subject } from '../domain/privacy-request';

/** A GDPR/CCPA request as compliance stores it. */
export interface PrivacyRequestRecord {
  id: string;
  orgId: string;
  kind: PrivacyKind;
  subject: Subject;
  status: 'PENDING' | 'COMPLETED';
  requestedByType: string;
  requestedById: string;
  requestedAt: Date;
  completedAt: Date | null;
  /** Export: until when the document may be downloaded. */
  expiresAt: Date | null;
  lastPublishedAt: Date;
}

export interface LegalHoldRecord {
  data: string;
  reason: string;
  count: number;
}

/** One expected service's answer. */
export interface PrivacyParticipantRecord {
  requestId: string;
  service: string;
  doneAt: Date | null;
  chunks: number | null;
  chunksReceived: number;
  counts: Record<string, number>;
  legalHolds: LegalHoldRecord[];
}

/** One stored part of an export. */
export interface ExportChunkRecord {
  service: string;
  sequence: number;
  section: string;
  items: string[];
}
