/**
 * Opaque cursors of the audit log connection: the sequence of the last entry seen (entries are
 * listed newest first, by sequence, which only grows), base64url with a kind and a version.
 */
const KIND = 'audit';

export function encodeAuditCursor(sequence: number): string {
  return Buffer.from(`${KIND}:v1:${sequence}`, 'utf8').toString('base64url');
}

/** The sequence of a cursor, or undefined when it is not one of ours. */
export function decodeAuditCursor(cursor: string): number | undefined {
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== 3 || parts[0] !== KIND || parts[1] !== 'v1') return undefined;
  if (!/^[1-9]\d{0,15}$/.test(parts[2])) return undefined;
  const sequence = Number(parts[2]);
  return Number.isSafeInteger(sequence) ? sequence : undefined;
}
