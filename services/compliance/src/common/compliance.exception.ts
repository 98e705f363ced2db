import { domainException } from '@switchboard/errors';

/** The errors of the compliance API and consumers (GraphQL `extensions.code`). */
export enum ComplianceErrorCode {
  /** A phone number that is not E.164 (`+` and 8–15 digits) or not a valid number. */
  INVALID_NUMBER = 'INVALID_NUMBER',
  /** A reason longer than 500 characters (a missing one is CommonErrorCode.REASON_REQUIRED). */
  INVALID_REASON = 'INVALID_REASON',
  /** A consent record without its evidence (source, the text shown) or with a bad IP or time. */
  INVALID_CONSENT = 'INVALID_CONSENT',
  /** Policy values out of range (window minutes, retention periods, reply texts). */
  INVALID_POLICY = 'INVALID_POLICY',
  /** A pagination cursor this API did not issue, or `first` out of range. */
  INVALID_PAGINATION = 'INVALID_PAGINATION',
  /** The number opted out by keyword: only the subscriber (START) or an owner with a reason lifts it. */
  KEYWORD_OPT_OUT = 'KEYWORD_OPT_OUT',
  /** The organization is closed (deletion scheduled): its settings no longer change. */
  ORGANIZATION_CLOSED = 'ORGANIZATION_CLOSED',
  /** An audit log filter out of range: `from` after `to`, or a value longer than allowed. */
  INVALID_AUDIT_FILTER = 'INVALID_AUDIT_FILTER',
  /** No such audit log export, or its download link is invalid or expired. */
  AUDIT_EXPORT_NOT_FOUND = 'AUDIT_EXPORT_NOT_FOUND',
  /** A privacy request's subject that is missing, malformed or cannot be erased by request. */
  INVALID_SUBJECT = 'INVALID_SUBJECT',
  /** An erasure without the confirmation (the subject repeated). */
  CONFIRMATION_REQUIRED = 'CONFIRMATION_REQUIRED',
  /** No privacy request with this id in the organization (or not the caller's to see). */
  PRIVACY_REQUEST_NOT_FOUND = 'PRIVACY_REQUEST_NOT_FOUND',
}

export class ComplianceException extends domainException<ComplianceErrorCode>({
  INVALID_NUMBER: 'BAD_INPUT',
  INVALID_REASON: 'BAD_INPUT',
  INVALID_CONSENT: 'BAD_INPUT',
  INVALID_POLICY: 'BAD_INPUT',
  INVALID_PAGINATION: 'BAD_INPUT',
  KEYWORD_OPT_OUT: 'FORBIDDEN',
  ORGANIZATION_CLOSED: 'PRECONDITION_FAILED',
  INVALID_AUDIT_FILTER: 'BAD_INPUT',
  AUDIT_EXPORT_NOT_FOUND: 'NOT_FOUND',
  INVALID_SUBJECT: 'BAD_INPUT',
  CONFIRMATION_REQUIRED: 'BAD_INPUT',
  PRIVACY_REQUEST_NOT_FOUND: 'NOT_FOUND',
}) {}
