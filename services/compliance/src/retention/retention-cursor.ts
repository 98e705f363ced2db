import { decodeCursor, encodeCursor, UUID_PART } from '@switchboard/service-kit';

/**
 * Opaque cursors of the retention report connection: the keyset (finished time, id) of the
 * last report seen.
 */
const KIND = 'retention';

export interface RetentionCursor {
  finishedAt: Date;
  id: string;
}

export function encodeRetentionCursor(cursor: RetentionCursor): string {
  return encodeCursor(KIND, [cursor.finishedAt.getTime(), cursor.id]);
}

/** The keyset of a cursor, or undefined when it is not one of ours. */
export function decodeRetentionCursor(cursor: string): RetentionCursor | undefined {
  const parts = decodeCursor(KIND, cursor, [/^\d{1,15}$/, UUID_PART]);
  return parts && { finishedAt: new Date(Number(parts[0])), id: parts[1].toLowerCase() };
}
