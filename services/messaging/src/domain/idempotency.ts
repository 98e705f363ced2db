import { createHash } from 'node:crypto';

/**
 * Idempotency keys, Stripe's semantics: the first request with a key decides; a retry with the
 * same key and the same parameters (within the key's lifetime, 24 h) gets the same message; the
 * same key with different parameters is refused (IDEMPOTENCY_KEY_REUSED). Requests refused by
 * validation record nothing, so a corrected retry may reuse the key.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export function isValidIdempotencyKey(key: string): boolean {
  return key.length > 0 && key.length <= IDEMPOTENCY_KEY_MAX_LENGTH && /^[\x21-\x7e]+$/.test(key);
}

/** JSON with object keys sorted at every level, `undefined` dropped: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The fingerprint of a send request: SHA-256 of its canonical, normalized parameters (the
 * number in E.164, times as instants), so `(415) 555-0123` and `+14155550123` are the same
 * request while any other difference (body, metadata, schedule) is not.
 */
export function requestFingerprint(params: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex');
}

export interface StoredIdempotencyKey {
  fingerprint: string;
  messageId: string;
}

export type IdempotencyOutcome = { outcome: 'replay'; messageId: string } | { outcome: 'conflict' };

/** What a request finds when its key is already taken (and not expired). */
export function onExistingKey(
  stored: StoredIdempotencyKey,
  fingerprint: string,
): IdempotencyOutcome {
  return stored.fingerprint === fingerprint
    ? { outcome: 'replay', messageId: stored.messageId }
    : { outcome: 'conflict' };
}

/** What identifies a send request, its numbers already in E.164. */
export interface SendRequestParams {
  to: string;
  from: string | null;
  body: string;
  deviceId?: string | null;
  simNumber?: number | null;
  validUntil?: Date | null;
  scheduledAt?: Date | null;
  metadata: Record<string, string>;
  campaignId?: string | null;
  purpose?: string | null;
  mediaUrls?: readonly string[] | null;
  routeId?: string | null;
  routeFallback?: boolean | null;
}

/** The fingerprint of a send request (requestFingerprint of exactly these parameters). */
export function sendFingerprint(request: SendRequestParams): string {
  return requestFingerprint({
    to: request.to,
    from: request.from,
    body: request.body,
    deviceId: request.deviceId ?? null,
    simNumber: request.simNumber ?? null,
    validUntil: request.validUntil ?? null,
    scheduledAt: request.scheduledAt ?? null,
    metadata: request.metadata,
    campaignId: request.campaignId ?? null,
    // Only when it is not the default, so keys stored before purposes existed still match.
    purpose: request.purpose && request.purpose !== 'TRANSACTIONAL' ? request.purpose : undefined,
    // Likewise: only an MMS has media.
    mediaUrls: request.mediaUrls?.length ? [...request.mediaUrls] : undefined,
    // Likewise: only a send with a sender route has one.
    routeId: request.routeId ?? undefined,
    routeFallback: request.routeId ? !!request.routeFallback : undefined,
  });
}
