import type { Source, SuppressionSnapshot } from '../domain/suppression';

/** A row of `suppressions`: the current state of one number. */
export interface SuppressionRecord extends SuppressionSnapshot {
  phoneNumber: string;
  updatedAt: Date;
}

export const HISTORY_KINDS = [
  'OPT_OUT',
  'OPT_IN',
  'CONSENT_GRANTED',
  'CONSENT_WITHDRAWN',
  'DND_SET',
  'DND_CLEARED',
  'HELP',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** A row of `suppression_history` (append-only). */
export interface HistoryRecord {
  id: string;
  phoneNumber: string;
  kind: HistoryKind;
  source: Source;
  actorType: string;
  actorId: string;
  reason: string | null;
  keyword: string | null;
  messageId: string | null;
  ip: string | null;
  consentText: string | null;
  occurredAt: Date;
  recordedAt: Date;
}
