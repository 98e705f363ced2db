/**
 * A keyset position (created_at, id) as an export cursor, and back. The time is kept as
 * PostgreSQL prints it (microseconds), never through a JS Date (milliseconds), which would
 * make a page start before rows it already gave.
 */
export function encodeKeyset(createdAt: string, id: string): string {
  return `${createdAt}|${id}`;
}

export function decodeKeyset(cursor: string | null): { createdAt: string; id: string } | null {
  if (!cursor) return null;
  const at = cursor.lastIndexOf('|');
  return { createdAt: cursor.slice(0, at), id: cursor.slice(at + 1) };
}
