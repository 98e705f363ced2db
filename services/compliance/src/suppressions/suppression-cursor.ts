import { decodeCursor, encodeCursor, MICROS_PART } from '@switchboard/service-kit';

/**
 * Opaque cursors of the opt-out and consent connections: the sort key of the last row seen
 * (when its state last changed, in microseconds, and the number); the kind is the list.
 */
export interface SuppressionPosition {
  micros: string;
  phoneNumber: string;
}

export function encodeSuppressionCursor(kind: string, position: SuppressionPosition): string {
  return encodeCursor(kind, [position.micros, position.phoneNumber]);
}

/** The position of a cursor, or undefined when it is not one of ours (of this kind). */
export function decodeSuppressionCursor(
  kind: string,
  cursor: string,
): SuppressionPosition | undefined {
  const parts = decodeCursor(kind, cursor, [MICROS_PART, /^\+\d{6,15}$/]);
  return parts && { micros: parts[0], phoneNumber: parts[1] };
}
