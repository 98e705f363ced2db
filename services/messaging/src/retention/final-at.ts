/**
 * A message's final time in SQL: the latest of the timestamps of its final statuses (SENT
 * counts: a phone without delivery reports never says more), NULL while it is on its way.
 * Retention periods run from it; the migration indexes this exact expression.
 */
export const FINAL_AT_SQL =
  'GREATEST(delivered_at, failed_at, rejected_at, expired_at, canceled_at, received_at, sent_at)';
