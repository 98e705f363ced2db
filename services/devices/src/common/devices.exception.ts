import { domainException } from '@switchboard/errors';

export enum DevicesErrorCode {
  /** Missing, malformed, unknown or revoked device token. */
  INVALID_DEVICE_TOKEN = 'INVALID_DEVICE_TOKEN',
  /** Missing, unknown, expired or revoked enrollment token. */
  INVALID_ENROLLMENT_TOKEN = 'INVALID_ENROLLMENT_TOKEN',
  /** A device tried to act as another device. */
  DEVICE_MISMATCH = 'DEVICE_MISMATCH',
  DEVICE_NOT_FOUND = 'DEVICE_NOT_FOUND',
  ENROLLMENT_NOT_FOUND = 'ENROLLMENT_NOT_FOUND',
  /** rejectDevice on a device that is not waiting for approval. */
  DEVICE_NOT_PENDING = 'DEVICE_NOT_PENDING',
  /** A request body or argument that does not have the expected shape. */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** A webhook call without a valid signature (missing, wrong or too old). */
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
  /** A webhook call whose signature was already used. */
  REPLAYED_REQUEST = 'REPLAYED_REQUEST',
  /** A single-use (or `maxUses`) enrollment token that has been used up. */
  ENROLLMENT_EXHAUSTED = 'ENROLLMENT_EXHAUSTED',
  /** The organization was closed: its phones' tokens and enrollment tokens are refused. */
  ORGANIZATION_CLOSED = 'ORGANIZATION_CLOSED',
  /** A dispatch command that can never be applied (dead-lettered, not retried). */
  INVALID_COMMAND = 'INVALID_COMMAND',
}

export class DevicesException extends domainException<DevicesErrorCode>({
  INVALID_DEVICE_TOKEN: 'UNAUTHENTICATED',
  INVALID_ENROLLMENT_TOKEN: 'UNAUTHENTICATED',
  DEVICE_MISMATCH: 'FORBIDDEN',
  DEVICE_NOT_FOUND: 'NOT_FOUND',
  ENROLLMENT_NOT_FOUND: 'NOT_FOUND',
  DEVICE_NOT_PENDING: 'CONFLICT',
  INVALID_REQUEST: 'BAD_INPUT',
  INVALID_SIGNATURE: 'UNAUTHENTICATED',
  REPLAYED_REQUEST: 'CONFLICT',
  ORGANIZATION_CLOSED: 'UNAUTHENTICATED',
  ENROLLMENT_EXHAUSTED: 'FORBIDDEN',
  INVALID_COMMAND: 'BAD_INPUT',
}) {}
