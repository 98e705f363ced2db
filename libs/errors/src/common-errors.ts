import { domainException } from './domain-exception';

/** Codes shared by every service's transport layer (auth, validation, limits). */
export enum CommonErrorCode {
  BAD_REQUEST = 'BAD_REQUEST',
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  REASON_REQUIRED = 'REASON_REQUIRED',
  TENANT_REQUIRED = 'TENANT_REQUIRED',
  /** A consumed event that can never apply (e.g. its tenant is missing or contradicts itself). */
  INVALID_EVENT = 'INVALID_EVENT',
  INTERNAL = 'INTERNAL',
}

export class CommonException extends domainException<CommonErrorCode>({
  BAD_REQUEST: 'BAD_INPUT',
  VALIDATION_FAILED: 'BAD_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'BAD_INPUT',
  RATE_LIMITED: 'RATE_LIMITED',
  REASON_REQUIRED: 'BAD_INPUT',
  TENANT_REQUIRED: 'FORBIDDEN',
  INVALID_EVENT: 'BAD_INPUT',
  INTERNAL: 'INTERNAL',
}) {}
