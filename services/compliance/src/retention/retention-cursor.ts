/**
 * Opaque cursors of the retention report connection: the keyset (finished time, id) of the
 * last report seen, base64url with a kind and a version.
 */
const KIND = 'retention';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RetentionCursor {
  finishedAt: Date;
  id: string;
}

export function encodeRetentionCursor(cursor: RetentionCursor): string {
  return Buffer.from(`${KIND}:v1:${cursor.finishedAt.getTime()}:${cursor.id}`, 'utf8').toString(
    'base64url',
  );
}

/** The keyset of a cursor, or undefined when it is not one of ours. */
export function decodeRetentionCursor(cursor: string): RetentionCursor | undefined {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== 4 || parts[0] !== KIND || parts[1] !== 'v1') return undefined;
  if (!/^\d{1,15}$/.test(parts[2]) || !UUID.test(parts[3])) return undefined;
  return { finishedAt: new Date(Number(parts[2])), id: parts[3] };
}
