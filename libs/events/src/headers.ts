import { CloudEventHeaders } from '@switchboard/contracts';

/**
 * Kafka record headers: the envelope of the contract (CloudEvents binding, our extensions,
 * W3C trace context; see libs/contracts cloud-events.ts) plus the dead-letter headers.
 */
export const Header = {
  ...CloudEventHeaders,
  /** Set on dead-lettered records: what went wrong, and where the record came from. */
  dlqError: 'sb_dlq_error',
  dlqReason: 'sb_dlq_reason',
  dlqTopic: 'sb_dlq_topic',
  dlqPartition: 'sb_dlq_partition',
  dlqOffset: 'sb_dlq_offset',
  dlqGroup: 'sb_dlq_group',
  dlqAttempts: 'sb_dlq_attempts',
} as const;

export type KafkaHeaders = Record<string, string>;

/** Reads kafkajs headers (Buffer | string | arrays) as plain strings. */
export function readHeaders(raw: Record<string, unknown> | undefined): KafkaHeaders {
  const out: KafkaHeaders = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null) continue;
    out[key] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
