/**
 * Opaque cursors of the opt-out and consent connections: the sort key of the last row seen
 * (when its state last changed, in microseconds, and the number), base64url with a kind and a
 * version. Microseconds: PostgreSQL keeps them, and a rounded cursor would skip or repeat rows.
 */
export interface SuppressionPosition {
  micros: string;
  phoneNumber: string;
}

export function encodeSuppressionCursor(kind: string, position: SuppressionPosition): string {
  return Buffer.from(`${kind}:v1:${position.micros}:${position.phoneNumber}`, 'utf8').toString(
    'base64url',
  );
}

/** The position of a cursor, or undefined when it is not one of ours (of this kind). */
export function decodeSuppressionCursor(
  kind: string,
  cursor: string,
): SuppressionPosition | undefined {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== 4 || parts[0] !== kind || parts[1] !== 'v1') return undefined;
  const [, , micros, phoneNumber] = parts;
  if (!/^-?\d{1,18}$/.test(micros) || !/^\+\d{6,15}$/.test(phoneNumber)) return undefined;
  return { micros, phoneNumber };
}
