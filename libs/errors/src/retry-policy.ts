import { DomainException } from './domain-exception';

export type FailureDisposition = 'retry' | 'dead-letter';

/**
 * What a Kafka consumer does with a failed message. Domain errors say it themselves (only
 * `UNAVAILABLE`/`RATE_LIMITED` can succeed later); unknown errors (a dropped connection, a
 * deadlock) are presumed transient and retried until the attempts run out.
 */
export function dispositionOf(error: unknown): FailureDisposition {
  if (error instanceof DomainException) return error.retryable ? 'retry' : 'dead-letter';
  return 'retry';
}
