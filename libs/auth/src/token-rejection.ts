import { CommonErrorCode, CommonException, DomainException } from '@switchboard/errors';
import { AuthErrorCode, AuthException } from './auth.exception';

/** Why an access token was refused. Kept server-side (logs, tests); clients see less. */
export type TokenRejectionReason =
  | 'malformed'
  | 'unsupported_alg'
  | 'wrong_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_claims'
  | 'keys_unavailable';

export class TokenRejection extends Error {
  constructor(
    readonly reason: TokenRejectionReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
    this.name = 'TokenRejection';
  }
}

/** jsonwebtoken's errors (what passport-jwt reports) as rejections; undefined for anything else. */
export function asTokenRejection(error: unknown): TokenRejection | undefined {
  if (error instanceof TokenRejection) return error;
  if (!(error instanceof Error)) return undefined;
  const cause = { cause: error };
  switch (error.name) {
    case 'TokenExpiredError':
      return new TokenRejection('expired', 'token expired', cause);
    case 'NotBeforeError':
      return new TokenRejection('not_yet_valid', 'token not active yet', cause);
    case 'JsonWebTokenError': {
      const message = error.message;
      if (message.startsWith('jwt issuer invalid'))
        return new TokenRejection('wrong_issuer', message, cause);
      if (message.startsWith('jwt audience invalid'))
        return new TokenRejection('wrong_audience', message, cause);
      if (message === 'invalid signature')
        return new TokenRejection('bad_signature', message, cause);
      if (message === 'invalid algorithm')
        return new TokenRejection('unsupported_alg', message, cause);
      return new TokenRejection('malformed', message, cause);
    }
    default:
      return undefined;
  }
}

/**
 * The error a caller gets for a refused token: UNAUTHENTICATED saying only "expired" or
 * "invalid" (the reason stays in `cause`), or a retryable KEYS_UNAVAILABLE when the keys could
 * not be fetched, which is not the token's fault. Other errors pass through unchanged.
 */
export function authenticationError(error: unknown): Error {
  if (error instanceof DomainException) return error;
  const rejection = asTokenRejection(error);
  if (!rejection) return error instanceof Error ? error : new Error(String(error));
  if (rejection.reason === 'keys_unavailable') {
    return new AuthException(
      AuthErrorCode.KEYS_UNAVAILABLE,
      'Token keys are unavailable, try again shortly',
      {
        retryAfterSeconds: 5,
        cause: rejection,
      },
    );
  }
  const message = rejection.reason === 'expired' ? 'Access token expired' : 'Invalid access token';
  return new CommonException(CommonErrorCode.UNAUTHENTICATED, message, { cause: rejection });
}
