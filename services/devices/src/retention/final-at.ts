/**
 * A device message's final time in SQL: the latest timestamp of its final states (SENT counts:
 * a phone without delivery reports never says more), NULL while it waits or is on a phone.
 * Retention periods run from it; the migration indexes this exact expression.
 */
export const FINAL_AT_SQL =
  'GREATEST(sent_at, delivered_at, failed_at, canceled_at, expired_at, released_at)';
