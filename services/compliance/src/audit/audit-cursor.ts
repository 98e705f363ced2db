import { decodeCursor, encodeCursor, SEQUENCE_PART } from '@switchboard/service-kit';

/**
 * Opaque cursors of the audit log connection: the sequence of the last entry seen (entries are
 * listed newest first, by sequence, which only grows).
 */
const KIND = 'audit';

export function encodeAuditCursor(sequence: number): string {
  return encodeCursor(KIND, [sequence]);
}

/** The sequence of a cursor, or undefined when it is not one of ours. */
export function decodeAuditCursor(cursor: string): number | undefined {
  const parts = decodeCursor(KIND, cursor, [SEQUENCE_PART]);
  const sequence = parts && Number(parts[0]);
  return sequence !== undefined && Number.isSafeInteger(sequence) ? sequence : undefined;
}
