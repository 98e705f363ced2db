/**
 * Opaque keyset cursors for Relay connections: the sort key of the last row seen, (time in
 * microseconds since the epoch, id), base64url-encoded with a version prefix. Microseconds,
 * not milliseconds: PostgreSQL keeps them and a rounded cursor would skip or repeat rows.
 * Stable: a cursor keeps pointing at the same place however many rows arrive.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeysetPosition {
  /** Microseconds since the epoch, as a decimal string (bigint range). */
  micros: string;
  id: string;
}

export function encodeCursor(kind: string, position: KeysetPosition): string {
  return Buffer.from(`${kind}:v1:${position.micros}:${position.id}`, 'utf8').toString('base64url');
}

/** The position of a cursor, or undefined when it is not one of ours (of this kind). */
export function decodeCursor(kind: string, cursor: string): KeysetPosition | undefined {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== 4 || parts[0] !== kind || parts[1] !== 'v1') return undefined;
  const [, , micros, id] = parts;
  if (!/^-?\d{1,18}$/.test(micros) || !UUID.test(id)) return undefined;
  return { micros, id: id.toLowerCase() };
}
