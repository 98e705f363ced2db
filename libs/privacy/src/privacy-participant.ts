import type { EntityManager } from 'typeorm';
import type { PrivacySubject } from './privacy-subject';

/** A part of a service's export: the subject's rows of one kind, page by page. */
export interface ExportSection {
  /** Its name in the document (e.g. "messages"). */
  name: string;
  /**
   * Up to `limit` items after `cursor` (null: from the start) in a stable order, each a plain
   * JSON object; `next` is null after the last page. Runs in the tenant's transaction.
   */
  page(
    tx: EntityManager,
    subject: PrivacySubject,
    cursor: string | null,
    limit: number,
  ): Promise<{ items: object[]; next: string | null }>;
}

/** Data kept under a legal obligation although the subject could ask for its erasure. */
export interface LegalHold {
  data: string;
  reason: string;
  count: number;
}

/** What a service contributes to privacy requests. */
export interface PrivacyParticipant {
  /** The export's sections, in document order. */
  sections: ExportSection[];
  /**
   * One batch of the erasure (at most `limit` rows changed) in the tenant's transaction;
   * `more` when another batch follows. Idempotent: a second erasure finds nothing.
   * `pseudonym`: a random stand-in for a phone number, the same for the whole request.
   * `orgId`: the tenant (already set on `tx`), for events the erasure publishes.
   */
  erase(
    tx: EntityManager,
    subject: PrivacySubject,
    limit: number,
    pseudonym: string,
    orgId: string,
  ): Promise<{ counts: Record<string, number>; more: boolean }>;
  /** What the service keeps of the subject anyway, and why. */
  legalHolds(tx: EntityManager, subject: PrivacySubject): Promise<LegalHold[]>;
}

export const PRIVACY_PARTICIPANT = Symbol('PRIVACY_PARTICIPANT');
