/**
 * Who may ask for what in GDPR/CCPA requests, and when a request is complete. Pure.
 *
 * - Export: a user their own data (subject USER, themself); the owner (scope `admin`) any
 *   member's, the organization's, or a phone number's (the organization is the controller of
 *   its recipients' data).
 * - Erasure: a user themself (confirmation: their user id); the owner a phone number
 *   (confirmation: the number). An organization is not erased by request: closing it purges
 *   every service 30 days later (accounts' purge), which this API names.
 */
export type PrivacyKind = 'EXPORT' | 'ERASURE';

export type Subject =
  | { kind: 'USER'; userId: string }
  | { kind: 'ORGANIZATION' }
  | { kind: 'PHONE_NUMBER'; phoneNumber: string };

export interface PrivacyCaller {
  /** The signed-in user (none for API tokens). */
  userId?: string;
  /** Holds scope `admin` in the organization (the owner or an owner's API token). */
  isOwner: boolean;
}

export type Refusal =
  | { code: 'FORBIDDEN'; message: string }
  | { code: 'CONFIRMATION_REQUIRED'; message: string }
  | { code: 'INVALID_SUBJECT'; message: string };

/** The text that confirms an erasure of `subject`. */
export function confirmationOf(subject: Subject): string {
  switch (subject.kind) {
    case 'USER':
      return subject.userId;
    case 'PHONE_NUMBER':
      return subject.phoneNumber;
    case 'ORGANIZATION':
      return '';
  }
}

/** Why the caller may not make this request (undefined: it may). */
export function privacyRequestRefusal(
  kind: PrivacyKind,
  subject: Subject,
  caller: PrivacyCaller,
  confirmation?: string | null,
): Refusal | undefined {
  const self = subject.kind === 'USER' && caller.userId === subject.userId;
  if (kind === 'EXPORT') {
    if (self || caller.isOwner) return undefined;
    return { code: 'FORBIDDEN', message: 'Only the owner may export data other than your own' };
  }
  if (subject.kind === 'ORGANIZATION') {
    return {
      code: 'INVALID_SUBJECT',
      message:
        'An organization is erased by closing it: every service purges it 30 days after closure',
    };
  }
  if (subject.kind === 'USER' && !self) {
    return { code: 'FORBIDDEN', message: 'A user can only ask for the erasure of their own data' };
  }
  if (subject.kind === 'PHONE_NUMBER' && !caller.isOwner) {
    return { code: 'FORBIDDEN', message: 'Only the owner may erase a phone number' };
  }
  if (confirmation !== confirmationOf(subject)) {
    return {
      code: 'CONFIRMATION_REQUIRED',
      message: 'Confirm the erasure by repeating the subject (the user id or the phone number)',
    };
  }
  return undefined;
}

export interface ParticipantState {
  service: string;
  done: boolean;
  /** Export: chunks the service says it sent (known once it is done). */
  chunks: number | null;
  /** Export: chunks stored. */
  chunksReceived: number;
}

/** Every expected service has answered (and, for an export, every chunk is stored). */
export function isComplete(kind: PrivacyKind, participants: readonly ParticipantState[]): boolean {
  return (
    participants.length > 0 &&
    participants.every(
      (p) => p.done && (kind === 'ERASURE' || (p.chunks !== null && p.chunksReceived >= p.chunks)),
    )
  );
}

/** A phone number as kept after its erasure: all but the last two digits hidden. */
export function maskedNumber(e164: string): string {
  return `${e164.slice(0, 2)}${'•'.repeat(Math.max(0, e164.length - 4))}${e164.slice(-2)}`;
}
