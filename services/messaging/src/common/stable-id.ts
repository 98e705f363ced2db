import { createHash } from 'node:crypto';

/**
 * A UUID (version 8, RFC 9562) derived from its parts: the same parts always give the same id.
 * Used for event ids: the dispatch command of attempt N of a message has one id, so writing it
 * twice fails on the outbox's unique event_id instead of reaching a phone twice, and consumers
 * drop republished copies by id.
 */
export function stableUuid(...parts: (string | number)[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x80; // version 8
  hash[8] = (hash[8] & 0x3f) | 0x80; // variant 10
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
