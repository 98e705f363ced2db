/**
 * Opaque keyset cursors for Relay connections: base64url of `<kind>:v1:<part>:<part>…`, the
 * sort key of the last row seen. The kind keeps a cursor of one list from opening another;
 * the version lets the encoding change. Stable: a cursor keeps pointing at the same place
 * however many rows arrive.
 */
const MAX_CURSOR_LENGTH = 200;

/** Microseconds since the epoch as a decimal string (bigint range): PostgreSQL keeps them. */
export const MICROS_PART = /^-?\d{1,18}$/;
export const UUID_PART = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A positive sequence number (safe integer range). */
export const SEQUENCE_PART = /^[1-9]\d{0,15}$/;

export function encodeCursor(kind: string, parts: readonly (string | number)[]): string {
  return Buffer.from([kind, 'v1', ...parts].join(':'), 'utf8').toString('base64url');
}

/**
 * The parts of a cursor of this kind, each matching its pattern (one pattern per part), or
 * undefined when the cursor is not one of ours.
 */
export function decodeCursor(
  kind: string,
  cursor: string,
  patterns: readonly RegExp[],
): string[] | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const [cursorKind, version, ...parts] = Buffer.from(cursor, 'base64url')
    .toString('utf8')
    .split(':');
  if (cursorKind !== kind || version !== 'v1' || parts.length !== patterns.length) return undefined;
  return parts.every((part, i) => patterns[i].test(part)) ? parts : undefined;
}

/** The usual keyset: (time in microseconds, id). */
export interface KeysetPosition {
  /** Microseconds since the epoch, as a decimal string (bigint range). */
  micros: string;
  id: string;
}

export function encodeKeysetCursor(kind: string, position: KeysetPosition): string {
  return encodeCursor(kind, [position.micros, position.id]);
}

/** A (micros, uuid) cursor of this kind; the id comes back lower-case. */
export function decodeKeysetCursor(kind: string, cursor: string): KeysetPosition | undefined {
  const parts = decodeCursor(kind, cursor, [MICROS_PART, UUID_PART]);
  return parts && { micros: parts[0], id: parts[1].toLowerCase() };
}
