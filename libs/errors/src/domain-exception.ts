/**
 * The one exception type of the platform. Each module defines its own subclass with a string
 * code enum (e.g. `MessagingException` + `MessagingErrorCode`) and says, per code, what kind
 * of failure it is. The kind decides the HTTP status, the GraphQL error, and whether a Kafka
 * consumer retries (only `UNAVAILABLE` can get better by retrying) or dead-letters.
 */
export type ErrorKind =
  | 'BAD_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export const httpStatusOfKind: Record<ErrorKind, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface DomainExceptionOptions {
  /** Safe, structured facts for the client (never secrets or personal data). */
  details?: Record<string, unknown>;
  /** For RATE_LIMITED: when to try again. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class DomainException<C extends string = string> extends Error {
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: C,
    readonly kind: ErrorKind,
    message: string,
    options: DomainExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get httpStatus(): number {
    return httpStatusOfKind[this.kind];
  }

  /** Whether trying the same operation again later can succeed. */
  get retryable(): boolean {
    return this.kind === 'UNAVAILABLE' || this.kind === 'RATE_LIMITED';
  }
}

/**
 * Builds a module's exception class from its code → kind table:
 *
 *   export enum MessagingErrorCode { INVALID_NUMBER = 'INVALID_NUMBER', ... }
 *   export class MessagingException extends domainException<MessagingErrorCode>({
 *     INVALID_NUMBER: 'BAD_INPUT', ...
 *   }) {}
 */
export function domainException<C extends string>(kinds: Record<C, ErrorKind>) {
  return class extends DomainException<C> {
    constructor(code: C, message: string, options?: DomainExceptionOptions) {
      super(code, kinds[code], message, options);
    }
  };
}

export function isDomainException(error: unknown): error is DomainException {
  return error instanceof DomainException;
}
