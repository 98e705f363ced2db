import { complianceV1 } from '@switchboard/contracts';
import { isE164 } from '@switchboard/sms';

/** Whose data a privacy request is about, within one organization (the controller). */
export type PrivacySubject =
  | { kind: 'USER'; userId: string }
  | { kind: 'ORGANIZATION' }
  | { kind: 'PHONE_NUMBER'; phoneNumber: string };

export type PrivacyRequestKind = 'EXPORT' | 'ERASURE';

/** The subject of a request as its event carries it; undefined when unknown (ignored). */
export function subjectOf(
  subject: complianceV1.PrivacySubject | undefined,
): PrivacySubject | undefined {
  switch (subject?.kind) {
    case complianceV1.PrivacySubjectKind.USER:
      return subject.userId ? { kind: 'USER', userId: subject.userId } : undefined;
    case complianceV1.PrivacySubjectKind.ORGANIZATION:
      return { kind: 'ORGANIZATION' };
    case complianceV1.PrivacySubjectKind.PHONE_NUMBER:
      return isE164(subject.phoneNumber)
        ? { kind: 'PHONE_NUMBER', phoneNumber: subject.phoneNumber }
        : undefined;
    default:
      return undefined;
  }
}

/** The event form of a subject. */
export function subjectEvent(subject: PrivacySubject): {
  kind: complianceV1.PrivacySubjectKind;
  userId: string;
  phoneNumber: string;
} {
  switch (subject.kind) {
    case 'USER':
      return {
        kind: complianceV1.PrivacySubjectKind.USER,
        userId: subject.userId,
        phoneNumber: '',
      };
    case 'ORGANIZATION':
      return { kind: complianceV1.PrivacySubjectKind.ORGANIZATION, userId: '', phoneNumber: '' };
    case 'PHONE_NUMBER':
      return {
        kind: complianceV1.PrivacySubjectKind.PHONE_NUMBER,
        userId: '',
        phoneNumber: subject.phoneNumber,
      };
  }
}

/** The kind of a request event; undefined when unknown (ignored). */
export function requestKindOf(
  kind: complianceV1.PrivacyRequestKind,
): PrivacyRequestKind | undefined {
  if (kind === complianceV1.PrivacyRequestKind.EXPORT) return 'EXPORT';
  if (kind === complianceV1.PrivacyRequestKind.ERASURE) return 'ERASURE';
  return undefined;
}
