/** A keyset position (created_at, id) as an export cursor, and back. */
export function encodeKeyset(createdAt: Date, id: string): string {
  return `${createdAt.toISOString()}|${id}`;
}

export function decodeKeyset(cursor: string | null): { createdAt: Date; id: string } | null {
  if (!cursor) return null;
  const [at, id] = cursor.split('|');
  return { createdAt: new Date(at), id };
}
