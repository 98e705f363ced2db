import { domainException } from '@switchboard/errors';

export enum AuthErrorCode {
  /** The signing keys (JWKS) could not be fetched: retry, the token itself may be fine. */
  KEYS_UNAVAILABLE = 'KEYS_UNAVAILABLE',
}

export class AuthException extends domainException<AuthErrorCode>({
  KEYS_UNAVAILABLE: 'UNAVAILABLE',
}) {}
